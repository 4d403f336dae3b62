"""The indicator kind: the center's figures, each observation with its source."""

"""Names of the kind in every language, for search (app/search/analysis.py)."""

LABELS: dict[str, dict[str, list[str]]] = {
    "kind": {
        "indicator": [
            "indicator",
            "figure",
            "statistics",
            "data",
            "показатель",
            "индикатор",
            "статистика",
            "данные",
            "көрсөткүч",
            "көрсеткіш",
            "статистика",
            "ko‘rsatkich",
            "koʻrsatkich",
            "kо'rsatkich",
            "нишондиҳанда",
            "görkeziji",
        ]
    },
}

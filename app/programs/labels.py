"""Names of the kind and of its type values in every language, for search (app/search/analysis.py)."""

LABELS: dict[str, dict[str, list[str]]] = {
    "kind": {
        "program": [
            "programme",
            "program",
            "project",
            "initiative",
            "программа",
            "проект",
            "долбоор",
            "жоба",
            "бағдарлама",
            "loyiha",
            "dastur",
            "лоиҳа",
            "барнома",
            "taslama",
            "maksatnama",
        ]
    }
}

"""Names of the kind and of its type values in every language, for search (app/search/analysis.py)."""

LABELS: dict[str, dict[str, list[str]]] = {
    "kind": {
        "policy": ["policy", "strategy", "политика", "стратегия", "саясат", "siyosat", "сиёсат", "syýasat"]
    },
    "policy_type": {
        "strategy": ["strategy", "стратегия", "strategiya", "стратегияи", "strategiýa"],
        "concept": ["concept", "концепция", "тұжырымдама", "konsepsiya", "консепсия", "konsepsiýa"],
        "action_plan": [
            "action plan",
            "plan of action",
            "план действий",
            "план мероприятий",
            "иш-аракеттер планы",
            "іс-шаралар жоспары",
            "harakatlar rejasi",
            "нақшаи чорабиниҳо",
            "hereketler meýilnamasy",
        ],
        "programme": [
            "programme",
            "state programme",
            "программа",
            "государственная программа",
            "мамлекеттик программа",
            "мемлекеттік бағдарлама",
            "davlat dasturi",
            "барномаи давлатӣ",
            "döwlet maksatnamasy",
        ],
        "decree": ["decree", "указ", "жарлык", "жарлық", "farmon", "фармон"],
        "roadmap": ["roadmap", "road map", "дорожная карта", "жол картасы", "yoʻl xaritasi", "харитаи роҳ"],
        "agreement": ["agreement", "соглашение", "келишим", "келісім", "bitim", "созишнома", "ylalaşyk"],
    },
}

"""Writes holdout-records.ndjson: real records from countries outside the seed (Armenia,
Azerbaijan, Belarus, Georgia, Moldova, Mongolia, Turkey, Ukraine, Afghanistan), English or
Russian only, as the write API takes them. Facts are public and well known; where a number or
date was not certain it is left out. Kept as code so the file is easy to review and regenerate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).with_name("holdout-records.ndjson")


def law(
    slug: str,
    title: dict[str, str],
    summary: dict[str, str],
    country: str,
    topics: list[str],
    instrument: str = "law",
    number: str | None = None,
    adopted: str | None = None,
) -> dict[str, Any]:
    return {
        "kind": "law",
        "slug": slug,
        "title": title,
        "summary": summary,
        "countries": [country],
        "topics": topics,
        "instrument_type": instrument,
        "number": number,
        "adopted_on": adopted,
        "status": "in_force",
        "original_language": next(iter(title)),
        "publication": "published",
    }


def policy(
    slug: str,
    title: str,
    summary: str,
    country: str,
    topics: list[str],
    ptype: str,
    adopted: str | None,
    start: str | None,
    end: str | None,
    instrument: str | None = None,
) -> dict[str, Any]:
    return {
        "kind": "policy",
        "slug": slug,
        "title": {"en": title},
        "summary": {"en": summary},
        "countries": [country],
        "topics": topics,
        "policy_type": ptype,
        "adopted_on": adopted,
        "period_start": start,
        "period_end": end,
        "instrument": instrument,
        "status": "unknown",
        "original_language": "en",
        "publication": "published",
    }


def program(
    slug: str,
    title: str,
    summary: str,
    countries: list[str],
    topics: list[str],
    start: str,
    participants: list[dict[str, str]] | None = None,
    budget: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "kind": "program",
        "slug": slug,
        "title": {"en": title},
        "summary": {"en": summary},
        "countries": countries,
        "topics": topics,
        "start_on": start,
        "status": "unknown",
        "participants": participants or [],
        "budget": budget,
        "original_language": "en",
        "publication": "published",
    }


def org(
    slug: str,
    name: str,
    description: str,
    country: str | None,
    topics: list[str],
    org_type: str,
    city: str,
    acronym: str | None = None,
    services: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "kind": "organization",
        "slug": slug,
        "name": {"en": name},
        "description": {"en": description},
        "countries": [country] if country else [],
        "topics": topics,
        "org_type": org_type,
        "city": city,
        "acronym": acronym,
        "services": services or [],
        "status": "active",
        "original_language": "en",
        "publication": "published",
    }


RECORDS = [
    law(
        "law-ge-aliens-stateless-2014",
        {"en": "Law of Georgia on the Legal Status of Aliens and Stateless Persons"},
        {
            "en": "Sets the rules for entry, stay, residence permits, transit and departure of foreigners and "
            "stateless persons in Georgia, and the grounds and procedure for their expulsion."
        },
        "GE",
        ["residence-registration", "expulsion-detention", "statelessness"],
        adopted="2014-03-05",
    ),
    law(
        "law-ge-international-protection-2016",
        {"en": "Law of Georgia on International Protection"},
        {
            "en": "Defines refugee status, humanitarian status and temporary protection in Georgia, the asylum "
            "procedure, the rights of asylum seekers and the principle of non-refoulement."
        },
        "GE",
        ["asylum-refugees"],
        adopted="2016-12-01",
    ),
    law(
        "law-ge-labour-migration-2015",
        {"en": "Law of Georgia on Labour Migration"},
        {
            "en": "Regulates employment of Georgian citizens abroad and of foreigners in Georgia, the licensing "
            "of employment agencies that send workers abroad, and the protection of labour migrants."
        },
        "GE",
        ["labour-migration"],
        adopted="2015",
    ),
    law(
        "law-am-foreigners-2006",
        {"en": "Law of the Republic of Armenia on Foreigners"},
        {
            "en": "Governs the entry, stay, residence status, employment and departure of foreign nationals in "
            "Armenia, including work permits and the grounds for expulsion."
        },
        "AM",
        ["residence-registration", "labour-migration", "expulsion-detention"],
        adopted="2006-12-25",
    ),
    law(
        "law-am-refugees-asylum-2008",
        {"en": "Law of the Republic of Armenia on Refugees and Asylum"},
        {
            "en": "Sets out who is a refugee in Armenia, how asylum applications are examined, the rights of "
            "asylum seekers and refugees, and temporary protection in mass influx."
        },
        "AM",
        ["asylum-refugees"],
        adopted="2008-11-27",
    ),
    law(
        "law-az-migration-code-2013",
        {"en": "Migration Code of the Republic of Azerbaijan"},
        {
            "en": "A single code for migration in Azerbaijan: entry and stay of foreigners and stateless persons, "
            "temporary and permanent residence permits, work permits for foreign workers, labour "
            "migration and registration at the place of stay."
        },
        "AZ",
        ["residence-registration", "labour-migration"],
        instrument="code",
        adopted="2013-07-02",
    ),
    law(
        "law-md-foreigners-regime-2010",
        {"en": "Law No. 200 on the Regime of Foreigners in the Republic of Moldova"},
        {
            "en": "Sets the conditions for entry, stay and exit of foreigners in Moldova, residence rights, "
            "tolerance status, return, expulsion and public custody of foreigners."
        },
        "MD",
        ["residence-registration", "expulsion-detention"],
        number="200",
        adopted="2010-07-16",
    ),
    law(
        "law-md-asylum-2008",
        {"en": "Law No. 270 on Asylum in the Republic of Moldova"},
        {
            "en": "Regulates the asylum procedure in Moldova, refugee status, humanitarian protection and "
            "temporary protection, and the rights and duties of asylum seekers."
        },
        "MD",
        ["asylum-refugees"],
        number="270",
        adopted="2008-12-18",
    ),
    law(
        "law-ua-foreigners-stateless-2011",
        {"en": "Law of Ukraine on the Legal Status of Foreigners and Stateless Persons"},
        {
            "en": "Establishes the rights and duties of foreigners and stateless persons in Ukraine, the grounds "
            "for immigration and temporary residence, employment, and forced return and expulsion."
        },
        "UA",
        ["residence-registration", "statelessness", "expulsion-detention"],
        number="3773-VI",
        adopted="2011-09-22",
    ),
    law(
        "law-ua-refugees-2011",
        {"en": "Law of Ukraine on Refugees and Persons in Need of Complementary or Temporary Protection"},
        {
            "en": "Defines refugee status and complementary and temporary protection in Ukraine, the procedure "
            "for applying, the rights of refugees and the duties of the migration service."
        },
        "UA",
        ["asylum-refugees"],
        number="3671-VI",
        adopted="2011-07-08",
    ),
    law(
        "law-ua-external-labour-migration-2015",
        {"en": "Law of Ukraine on External Labour Migration"},
        {
            "en": "Sets the state's duties towards Ukrainian citizens working abroad: information before departure, "
            "protection of their rights in the countries of employment, social protection and "
            "reintegration after return."
        },
        "UA",
        ["labour-migration", "social-protection", "return-reintegration"],
        number="761-VIII",
        adopted="2015-11-05",
    ),
    law(
        "law-by-external-labour-migration-2010",
        {"ru": "О внешней трудовой миграции"},
        {
            "ru": "Закон Республики Беларусь о порядке трудовой деятельности белорусских граждан за рубежом и "
            "иностранцев в Беларуси: разрешения на привлечение иностранной рабочей силы, трудовые договоры, "
            "лицензирование деятельности по трудоустройству за границей."
        },
        "BY",
        ["labour-migration"],
        number="225-З",
        adopted="2010-12-30",
    ),
    law(
        "law-by-legal-status-foreigners-2010",
        {"ru": "О правовом положении иностранных граждан и лиц без гражданства в Республике Беларусь"},
        {
            "ru": "Права и обязанности иностранцев и лиц без гражданства в Беларуси: въезд, временное и постоянное "
            "проживание, вид на жительство, регистрация по месту пребывания, депортация и высылка."
        },
        "BY",
        ["residence-registration", "statelessness", "expulsion-detention"],
        number="105-З",
        adopted="2010-01-04",
    ),
    law(
        "law-tr-foreigners-international-protection-2013",
        {"en": "Law on Foreigners and International Protection (Law No. 6458)"},
        {
            "en": "Turkey's main migration and asylum law: entry, visas and residence permits of foreigners, "
            "removal and administrative detention, international protection (refugee, conditional refugee "
            "and subsidiary protection) and temporary protection; it created the migration authority."
        },
        "TR",
        ["asylum-refugees", "residence-registration", "expulsion-detention"],
        number="6458",
        adopted="2013-04-04",
    ),
    law(
        "law-tr-international-labour-force-2016",
        {"en": "International Labour Force Law (Law No. 6735)"},
        {
            "en": "Governs work permits and work permit exemptions for foreigners employed in Turkey, including "
            "the Turquoise Card for qualified workers, and the penalties for unauthorised employment."
        },
        "TR",
        ["labour-migration"],
        number="6735",
        adopted="2016-07-28",
    ),
    law(
        "law-tr-temporary-protection-regulation-2014",
        {"en": "Temporary Protection Regulation"},
        {
            "en": "Regulation under Law No. 6458 setting the temporary protection regime for people arriving in a "
            "mass influx, applied to refugees from Syria: registration, identity documents, access to "
            "health care, education and the labour market."
        },
        "TR",
        ["asylum-refugees"],
        instrument="regulation",
        adopted="2014-10-22",
    ),
    law(
        "law-mn-legal-status-foreign-citizens-2010",
        {"en": "Law of Mongolia on the Legal Status of Foreign Citizens"},
        {
            "en": "Sets the rights and obligations of foreign citizens in Mongolia, their entry, residence "
            "permits, registration with the immigration authority and deportation."
        },
        "MN",
        ["residence-registration", "expulsion-detention"],
        adopted="2010",
    ),
    policy(
        "pol-ge-migration-strategy-2016-2020",
        "Migration Strategy of Georgia 2016-2020",
        "Georgia's government strategy for managing migration: legal emigration and circular labour "
        "migration, fighting irregular migration, asylum, integration of foreigners and reintegration of "
        "returning migrants, coordinated by the State Commission on Migration Issues.",
        "GE",
        ["labour-migration", "return-reintegration", "asylum-refugees"],
        "strategy",
        "2015",
        "2016",
        "2020",
    ),
    policy(
        "pol-ge-migration-strategy-2021-2030",
        "Migration Strategy of Georgia 2021-2030",
        "The follow-up ten-year strategy of Georgia on migration management, with action plans on legal "
        "migration, diaspora engagement, return and reintegration, and international protection.",
        "GE",
        ["labour-migration", "return-reintegration"],
        "strategy",
        "2020",
        "2021",
        "2030",
    ),
    policy(
        "pol-md-migration-asylum-strategy-2011-2020",
        "National Strategy on Migration and Asylum (2011-2020)",
        "Moldova's strategy on emigration, immigration, asylum and integration of foreigners, aligning the "
        "country's migration management with European Union standards.",
        "MD",
        ["asylum-refugees", "labour-migration"],
        "strategy",
        "2011",
        "2011",
        "2020",
        instrument="Government Decision No. 655",
    ),
    policy(
        "pol-ua-migration-policy-strategy-2025",
        "Strategy of the State Migration Policy of Ukraine until 2025",
        "Ukraine's strategy for migration policy: reducing the negative effects of emigration, supporting "
        "the return and reintegration of Ukrainians from abroad, managing immigration, fighting "
        "irregular migration and protecting refugees.",
        "UA",
        ["labour-migration", "return-reintegration", "asylum-refugees"],
        "strategy",
        "2017-07-12",
        "2017",
        "2025",
    ),
    policy(
        "pol-af-idp-policy-2013",
        "National Policy on Internally Displaced Persons",
        "Afghanistan's policy on people displaced inside the country by conflict and disasters: protection, "
        "assistance and durable solutions through return, local integration or settlement elsewhere.",
        "AF",
        ["return-reintegration", "asylum-refugees"],
        "other",
        "2013",
        None,
        None,
    ),
    program(
        "prog-eu-md-mobility-partnership-2008",
        "EU-Moldova Mobility Partnership",
        "A framework of cooperation between the European Union, member states and Moldova on legal "
        "migration, migration and development, readmission and the fight against irregular migration.",
        ["MD"],
        ["labour-migration", "return-reintegration"],
        "2008-06",
    ),
    program(
        "prog-eu-ge-mobility-partnership-2009",
        "EU-Georgia Mobility Partnership",
        "Joint declaration and projects between the European Union, member states and Georgia on legal "
        "labour migration, circular migration, return and reintegration and border management.",
        ["GE"],
        ["labour-migration", "return-reintegration"],
        "2009-11",
    ),
    program(
        "prog-eu-am-mobility-partnership-2011",
        "EU-Armenia Mobility Partnership",
        "Cooperation between the European Union, member states and Armenia on labour migration, "
        "reintegration of returning Armenians, readmission and asylum.",
        ["AM"],
        ["labour-migration", "return-reintegration"],
        "2011-10",
    ),
    program(
        "prog-eu-facility-refugees-turkey-2016",
        "EU Facility for Refugees in Turkey",
        "The European Union's fund for refugees hosted in Turkey, mostly Syrians: humanitarian aid, cash "
        "assistance, education, health care and livelihoods.",
        ["TR"],
        ["asylum-refugees", "social-protection"],
        "2016",
        budget={"amount": 6000000000, "currency": "EUR"},
    ),
    program(
        "prog-prague-process-2009",
        "Prague Process",
        "A migration dialogue between the countries of the European Union, the Eastern Partnership, the "
        "Western Balkans, Central Asia, Russia and Turkey on legal and irregular migration, return and "
        "asylum, launched at a ministerial conference in Prague.",
        [],
        ["labour-migration", "return-reintegration", "asylum-refugees"],
        "2009-04",
        participants=[{"organization": "org-icmpd", "role": "implementer"}],
    ),
    program(
        "prog-budapest-process-1991",
        "Budapest Process",
        "A consultative forum of more than fifty governments on orderly migration along the Silk Routes, "
        "from Europe to Central Asia, Afghanistan, Pakistan and Iran; ICMPD is its secretariat.",
        [],
        ["labour-migration", "trafficking"],
        "1991",
        participants=[{"organization": "org-icmpd", "role": "implementer"}],
    ),
    org(
        "org-ua-state-migration-service",
        "State Migration Service of Ukraine",
        "Central government body that implements migration policy in Ukraine: citizenship, passports, "
        "registration of residence, immigration, refugees and stateless persons.",
        "UA",
        ["residence-registration", "asylum-refugees", "citizenship"],
        "government",
        "Kyiv",
    ),
    org(
        "org-az-state-migration-service",
        "State Migration Service of the Republic of Azerbaijan",
        "Government agency that issues residence and work permits to foreigners in Azerbaijan, registers "
        "migrants, decides on refugee status and handles citizenship matters.",
        "AZ",
        ["residence-registration", "labour-migration", "asylum-refugees"],
        "government",
        "Baku",
    ),
    org(
        "org-am-migration-citizenship-service",
        "Migration and Citizenship Service of Armenia",
        "Armenian government service for residence permits, asylum applications, citizenship and the "
        "reintegration of returning migrants.",
        "AM",
        ["asylum-refugees", "citizenship", "return-reintegration"],
        "government",
        "Yerevan",
    ),
    org(
        "org-md-bureau-migration-asylum",
        "Bureau for Migration and Asylum",
        "Moldova's authority under the Ministry of Internal Affairs for the stay of foreigners, asylum, "
        "statelessness determination and integration.",
        "MD",
        ["asylum-refugees", "statelessness", "residence-registration"],
        "government",
        "Chișinău",
    ),
    org(
        "org-tr-presidency-migration-management",
        "Presidency of Migration Management",
        "Turkey's migration authority under the Ministry of Interior, set up by Law No. 6458 as the "
        "Directorate General of Migration Management: residence permits, international and temporary "
        "protection, removal and fighting human trafficking.",
        "TR",
        ["asylum-refugees", "residence-registration", "trafficking"],
        "government",
        "Ankara",
    ),
    org(
        "org-ge-gyla",
        "Georgian Young Lawyers' Association",
        "Non-governmental organisation founded in 1994 that gives free legal aid, including to asylum "
        "seekers, refugees and internally displaced persons, and monitors human rights in Georgia.",
        "GE",
        ["asylum-refugees"],
        "ngo",
        "Tbilisi",
        acronym="GYLA",
        services=["legal_aid", "advocacy"],
    ),
    org(
        "org-ua-right-to-protection",
        "Right to Protection",
        "Ukrainian charitable foundation that gives legal aid to refugees, asylum seekers, internally "
        "displaced and stateless persons, and helps people obtain documents.",
        "UA",
        ["asylum-refugees", "statelessness"],
        "ngo",
        "Kyiv",
        acronym="R2P",
        services=["legal_aid", "information"],
    ),
    org(
        "org-icmpd",
        "International Centre for Migration Policy Development",
        "International organisation founded in 1993 in Vienna that supports governments with migration "
        "policy, border management, return and dialogues such as the Budapest and Prague Processes.",
        None,
        ["labour-migration", "trafficking"],
        "intergovernmental",
        "Vienna",
        acronym="ICMPD",
        services=["research", "training"],
    ),
    org(
        "org-tr-refugee-rights-turkey",
        "Refugee Rights Turkey",
        "Istanbul-based non-governmental organisation that provides legal counselling and representation to "
        "refugees and asylum seekers in Turkey and trains lawyers on asylum law.",
        "TR",
        ["asylum-refugees", "expulsion-detention"],
        "ngo",
        "Istanbul",
        services=["legal_aid", "training"],
    ),
    org(
        "org-af-ministry-refugees-repatriation",
        "Ministry of Refugees and Repatriation",
        "Afghan government ministry responsible for returning refugees and internally displaced persons, "
        "their registration, assistance and reintegration.",
        "AF",
        ["return-reintegration", "asylum-refugees"],
        "government",
        "Kabul",
    ),
    org(
        "org-mn-immigration-agency",
        "Immigration Agency of Mongolia",
        "Government agency that registers foreign citizens in Mongolia, issues residence permits and visas on "
        "arrival, and controls the stay of foreigners.",
        "MN",
        ["residence-registration"],
        "government",
        "Ulaanbaatar",
    ),
]


def main() -> None:
    def clean(record: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in record.items() if v is not None}

    ordered = sorted(RECORDS, key=lambda r: r["kind"] != "organization")  # participants point at orgs
    OUT.write_text(
        "".join(json.dumps(clean(r), ensure_ascii=False) + "\n" for r in ordered), encoding="utf-8"
    )
    print(f"{len(RECORDS)} records -> {OUT}")


if __name__ == "__main__":
    main()

"""The indicator kind: a figure the center follows (remittances as a share of GDP, entries into
Russia for work …). The record holds its names and definition; its sources and observations are
its own tables (app/models/indicator.py), served under `/v1/indicators/{key}/observations` and
drawn as charts (`chart.svg|png|vl.json`)."""

from __future__ import annotations

from app.indicators.coverage import indicator_detail
from app.indicators.figures import check_figures, read_figures, write_figures
from app.indicators.labels import LABELS
from app.indicators.schemas import IndicatorIn, IndicatorOut
from app.indicators.seed import load_observations
from app.indicators.timeline import timeline_series
from app.models import Indicator
from app.records.filters import OneOf
from app.records.spec import Carried, KindSpec

INDICATOR = KindSpec(
    kind="indicator",
    plural="indicators",
    tag="Indicators",
    description="The center's figures (remittances, entries for work, registered migrants …): each "
    "observation with its source, as series, tables (JSON or CSV) and charts.",
    model=Indicator,
    in_schema=IndicatorIn,
    out_schema=IndicatorOut,
    title_field="name",
    summary_field="definition",
    filters=(
        OneOf("code", "The publisher's series code(s).", "BX.TRF.PWKR.DT.GD.ZS", column=Indicator.code),
    ),
    code_fields=("code",),
    context_fields=("unit",),
    labels=LABELS,
    detail=indicator_detail,
    detail_fields=("sources", "coverage"),
    routes="app.indicators.router:router",
    seed=load_observations,
    series=timeline_series,
    carried=Carried("figures", read_figures, check_figures, write_figures),
)

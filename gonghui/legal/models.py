"""Legal aid (工会法律援助). The models live in one module per part of the app."""

from gonghui.legal.models_cases import *  # noqa: F403
from gonghui.legal.models_intake import *  # noqa: F403
from gonghui.legal.models_reports import *  # noqa: F403

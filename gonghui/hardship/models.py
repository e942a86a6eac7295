"""Hardship assistance (困难职工帮扶). The models live in one module per part of the app."""

from gonghui.hardship.models_aid import *  # noqa: F403
from gonghui.hardship.models_campaigns import *  # noqa: F403
from gonghui.hardship.models_core import *  # noqa: F403
from gonghui.hardship.models_review import *  # noqa: F403

"""Tortoise models. ``MODEL_MODULES`` is what the Tortoise config and aerich load."""

MODEL_MODULES = ["models.provider", "models.route", "models.setup", "aerich.models"]

from . import controllers, models, reports, wizards


def uninstall_hook(env):
    """Drop the technical tables of the kept tiering measures (created by SQL, not by a model)."""
    env.cr.execute("DROP TABLE IF EXISTS customer_tier_measures_kept, customer_tier_source_change")

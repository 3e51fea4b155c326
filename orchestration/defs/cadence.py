"""When a model is due: the weekly retraining's cron, and the freshness policies that mark the
pre-trained model and the release overdue in the UI when a week's retraining did not land."""

from datetime import timedelta

import dagster as dg

RETRAIN_CRON = "0 3 * * 1"  # Mondays 03:00 UTC: the weekly_retraining schedule
TIMEZONE = "UTC"

# Overdue when, by Tuesday 03:00, nothing was pre-trained since the Monday tick (a day to train).
PRETRAINED_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 3 * * 2", lower_bound_delta=timedelta(days=1), timezone=TIMEZONE
)
# Overdue when, by Wednesday 03:00, nothing was released since the Monday tick (a day more for
# evaluation, the gate and, when it holds, a person's decision).
RELEASED_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 3 * * 3", lower_bound_delta=timedelta(days=2), timezone=TIMEZONE
)

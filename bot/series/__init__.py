"""The twelve-day series: content, schedule and posting."""

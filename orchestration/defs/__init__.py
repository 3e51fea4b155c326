"""Assets, checks, resources, schedules and sensors, one module per concern."""

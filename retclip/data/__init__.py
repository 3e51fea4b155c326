"""Data: the patient manifest, the synthetic clinic, images and validation."""

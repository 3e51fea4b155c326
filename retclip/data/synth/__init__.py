"""The synthetic clinic: paired fundus photographs and noisy reports with ground truth."""

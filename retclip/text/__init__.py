"""Report text: normalisation, PHI scrubbing, section splitting and the tokenizer.

Nothing here imports torch or dagster: the cleaner runs in the data stage and the tokenizer is
shared with the torch-free prediction path.
"""

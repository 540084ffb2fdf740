"""gradwork's benchmark suite: ``python -m bench`` (see bench/run.py) writes bench/results.md and results.json."""

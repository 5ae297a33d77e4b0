"""Models — to be built."""

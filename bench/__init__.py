"""Benchmarks and the city-scale data generator."""

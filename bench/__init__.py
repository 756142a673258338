"""szportal benchmarks."""

"""Benchmark entry point (placeholder)."""

if __name__ == "__main__":
    print("no benchmarks yet")

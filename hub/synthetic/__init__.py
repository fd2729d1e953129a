"""A deterministic synthetic federation for demos, tests and benchmarks.

``generate(seed, scale, years)`` gives the registry's clusters (``scale`` copies of it) with
member lists of about 80 to 1,000 organisations, about 10% of organisations in two or more
clusters, and values for every pushed indicator of the catalogue; each submission is
computed on demand from the seed alone, identically in any process.
"""

from hub.synthetic.federation import Federation, SyntheticCluster, generate

__all__ = ["Federation", "SyntheticCluster", "generate"]

"""No background work: figures are counted when read, in a fixed number of queries."""

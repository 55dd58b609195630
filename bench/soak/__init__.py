"""`make soak`: personas doing the real mix through the HTTP API of a live filmroll, faults
injected on a schedule, then a drain and an audit of every store, printed as one table.

    python -m bench.soak --mode embedded --duration 150 --rate 20
    python -m bench.soak --mode cluster --duration 120 --faults app-server,memcached

Modules: client (HTTP with tallies), ledger (acknowledged writes), load (the personas' mix),
embedded and cluster (the target under test and its faults), faults (the schedule), verify (the
ledger read back and the stores audited), table (the printout), probe (run inside the target's
settings: queue depth and `filmroll check --data`'s findings as JSON).
"""

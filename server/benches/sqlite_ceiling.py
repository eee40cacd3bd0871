"""What SQLite itself takes on this disk, for comparison with the ingestion benchmark.

The webhook_events schema (this repository's SQLite migrations), rows inserted by SQLite's own
C loop (`executemany`) in transactions of 32, WAL, synchronous=NORMAL, a 24 MiB cache: no HTTP,
no async runtime, no thread hand-offs. Two ways of checkpointing: "inline" (SQLite's default,
inside whichever commit crosses 1,000 pages) and "background" (a second connection every 250 ms,
PASSIVE, never rewinding the WAL, so it grows without bound). Prints events/s and the time a
batch of 32 takes (p50, p99, p99.9, max). Row ids start with the current millisecond, as the
server's do, so they land at the end of the primary-key index. `DEDUPE_INDEX=without` (or
`with,without`) also runs the schema without the dedupe-hash index, to show what that index costs.

    python3 server/benches/sqlite_ceiling.py            # 1 KB and 20 KB, 8 s each
    BODIES=20480 MODES=inline SECONDS_EACH=4 python3 server/benches/sqlite_ceiling.py

Uses Python's sqlite3 module (Debian's SQLite), not the server's bundled one. Figures:
docs/benchmarks.md.
"""
import glob, os, random, sqlite3, sys, tempfile, threading, time

here = os.path.dirname(os.path.abspath(__file__))
migrations_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "migrations", "sqlite")
migrations = sorted(glob.glob(os.path.join(migrations_dir, "*.sql")))
seconds = float(os.environ.get("SECONDS_EACH", "8"))

def run(body_bytes, checkpoint, dedupe_index):
    d = tempfile.mkdtemp(dir=os.environ.get("DIR", "/tmp"))
    path = os.path.join(d, "ceiling.db")
    db = sqlite3.connect(path, isolation_level=None)
    for m in migrations:
        db.executescript(open(m).read())
    if dedupe_index == "without":
        db.execute("DROP INDEX webhook_events_by_dedupe_hash")
    db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-24576; PRAGMA temp_store=MEMORY;")
    if checkpoint == "background":
        db.execute("PRAGMA wal_autocheckpoint=0")
    stop = threading.Event()
    def checkpointer():
        c = sqlite3.connect(path, isolation_level=None)
        while not stop.wait(0.25):
            c.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    t = threading.Thread(target=checkpointer)
    if checkpoint == "background":
        t.start()
    body = '{"description":"' + "x" * max(0, body_bytes - 20) + '"}'
    headers = '{"content-type":"application/json"}'
    n = 0
    batch_ms = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        rows = []
        ms = int(time.time() * 1000)
        for _ in range(32):
            n += 1
            rid = "%012x%020x" % (ms, random.getrandbits(80))
            rows.append((rid, "api-studio", "ws1", "clockify", "NEW_TIME_ENTRY", "k%d" % n,
                         random.getrandbits(63), "accepted", ms, headers, "", body))
        began = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO webhook_events (id, addon_key, workspace_id, source, event_type, dedupe_key, "
                       "dedupe_hash, status, received_at, headers, query, body) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        db.execute("COMMIT")
        batch_ms.append(1000 * (time.perf_counter() - began))
    elapsed = time.perf_counter() - start
    stop.set()
    if t.is_alive():
        t.join()
    wal = os.path.getsize(path + "-wal") if os.path.exists(path + "-wal") else 0
    batch_ms.sort()
    pct = lambda q: batch_ms[min(len(batch_ms) - 1, int(q * len(batch_ms)))]
    print(f"SQLite {sqlite3.sqlite_version}, body {body_bytes} B, checkpoints {checkpoint}, dedupe index {dedupe_index}: "
          f"{n / elapsed:,.0f} events/s ({1e6 * elapsed / n:.1f} µs each), WAL at end {wal / 2**20:.0f} MiB; "
          f"batch of 32: p50 {pct(0.5):.2f} ms, p99 {pct(0.99):.2f} ms, p99.9 {pct(0.999):.2f} ms, max {batch_ms[-1]:.1f} ms", flush=True)
    db.close()
    for f in glob.glob(path + "*"):
        os.remove(f)
    os.rmdir(d)

for body in [int(b) for b in os.environ.get("BODIES", "1024,20480").split(",")]:
    for mode in os.environ.get("MODES", "inline,background").split(","):
        for dedupe_index in os.environ.get("DEDUPE_INDEX", "with").split(","):
            run(body, mode, dedupe_index)

"""Test helper process: record N runs in a store (used by the concurrency and SIGKILL tests).

Usage: python _writer.py URL BLOB_DIR N TAG ROWS
"""

import sys

import numpy as np
import pandas as pd

from neuromoa.store import Store


def main() -> None:
    url, blob_dir, n, tag, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], \
        int(sys.argv[5])
    store = Store(url, blob_dir=blob_dir)
    for i in range(n):
        frame = pd.DataFrame({"curve": [f"{tag}-{i}-{k}" for k in range(rows)],
                              "status": "ok", "ic50": np.full(rows, 1e-9 * (i + 1))})
        store.record_run("fit", parameters={"writer": tag, "i": i},
                         inputs={"curves": (f"{tag}-{i}.csv", f"{tag},{i}\n".encode())},
                         results=frame, compound=f"{tag}-compound")
        if i == 0:
            print("first", flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    main()

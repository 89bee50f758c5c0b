"""Baseline for `npm run bench`: the raw round trip of code on an ipykernel driven directly by
jupyter_client (execute_request sent -> status idle received), no CodeAct code in the path.

Usage: python raw_jupyter_client.py REPEATS CODE [CODE...]
Prints one JSON object: {"<code>": [seconds, ...], ...}
"""
import json
import sys
import time

from jupyter_client import KernelManager


def run_once(client, code):
    started = time.perf_counter()
    msg_id = client.execute(code, store_history=False, allow_stdin=False)
    while True:
        msg = client.get_iopub_msg(timeout=120)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    client.get_shell_msg(timeout=120)  # the execute_reply
    return time.perf_counter() - started


def main():
    repeats = int(sys.argv[1])
    codes = sys.argv[2:]
    manager = KernelManager()
    manager.kernel_cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    try:
        for code in codes:
            run_once(client, code)  # warm up
        results = {code: [run_once(client, code) for _ in range(repeats)] for code in codes}
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()

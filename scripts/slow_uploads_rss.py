#!/usr/bin/env python3
"""Peak RSS of the bot while N clients trickle 1 MiB bodies at it, on loopback.

usage: scripts/slow_uploads_rss.py [path/to/trouble-bot] [clients]
Starts `trouble-bot serve` on 127.0.0.1:0 with a throw-away data directory (Slack pointed at a
closed port: nothing leaves the machine), opens the connections, sends each body in 32 KiB
pieces every 250 ms (1 MiB in about 8 s), samples VmRSS from /proc every 100 ms and prints the
peak. Bounded: the run stops after 25 s whatever happens.
"""
import asyncio
import os
import subprocess
import sys
import tempfile
import time

BINARY = sys.argv[1] if len(sys.argv) > 1 else "target/release/trouble-bot"
CLIENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 256
BODY = 1024 * 1024
PIECE = 32 * 1024
LIMIT_SECS = 25


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def trickle(port, answers):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {BODY}\r\n\r\n".encode()
        )
        sent = 0
        while sent < BODY:
            writer.write(b"x" * PIECE)
            await writer.drain()
            sent += PIECE
            await asyncio.sleep(0.25)
        status = await reader.readline()
        answers.append(status.decode(errors="replace").strip() or "closed")
    except (ConnectionError, OSError):
        answers.append("cut off")


async def main():
    data = tempfile.mkdtemp()
    env = dict(
        os.environ,
        SLACK_SIGNING_SECRET="measure",
        SLACK_BOT_TOKEN="xoxb-measure",
        SLACK_API_URL="http://127.0.0.1:9/api/",
        TROUBLE_DATA_DIR=data,
        TROUBLE_LISTEN="127.0.0.1:0",
        RUST_LOG="warn",
    )
    bot = subprocess.Popen([BINARY, "serve"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = bot.stdout.readline()
        port = int(line.rsplit(":", 1)[1])
        baseline = rss_kib(bot.pid)
        answers = []
        clients = asyncio.gather(*(trickle(port, answers) for _ in range(CLIENTS)))
        peak = baseline
        started = time.monotonic()
        task = asyncio.ensure_future(clients)
        while not task.done() and time.monotonic() - started < LIMIT_SECS:
            peak = max(peak, rss_kib(bot.pid))
            await asyncio.sleep(0.1)
        task.cancel()
        counts = {}
        for a in answers:
            counts[a] = counts.get(a, 0) + 1
        print(f"{CLIENTS} clients trickling {BODY // 1024} KiB each")
        print(f"RSS at start: {baseline / 1024:.1f} MiB, peak: {peak / 1024:.1f} MiB")
        print(f"answers: {counts}")
    finally:
        bot.terminate()
        bot.wait(timeout=30)


asyncio.run(main())

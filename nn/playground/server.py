"""The playground's web server: a Starlette app on uvicorn, one ``Session`` per browser tab (websocket).

The page and its scripts are files in this package (and the backward view's
script in ``autograd.viz``), served from a fixed list: nothing comes from a
CDN and no path from a request reaches the file system. Each message from the
page names one of a fixed set of actions; settings are checked against
``settings.SPEC`` and nothing sent is run as code. Training runs in a worker
thread, a bounded slice at a time, and a new picture is sent only after the
page says it drew the last one, so a stuck tab stops its own training and,
after ``IDLE_SECONDS`` without a word, loses its session.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import ipaddress
import json
import logging
import socket
import sys
import threading
import warnings
import webbrowser
from importlib import resources
from typing import Any

from .session import Session
from .settings import SettingError, describe

__all__ = ["create_app", "main", "serve_in_thread", "IDLE_SECONDS", "MAX_SESSIONS"]

IDLE_SECONDS = 120.0  # a tab silent this long (no ack, no action) is closed and its session freed
MAX_SESSIONS = 16  # tabs served at once
MAX_MESSAGE = 64 * 1024  # bytes in one message from the page
PLAY_SLICE = 0.05  # seconds of training between two pictures while playing

log = logging.getLogger("gradwork.playground")

_FILES = {  # url -> (package, file, media type)
    "/": ("nn.playground", "static/index.html", "text/html; charset=utf-8"),
    "/static/app.js": ("nn.playground", "static/app.js", "text/javascript; charset=utf-8"),
    "/static/style.css": ("nn.playground", "static/style.css", "text/css; charset=utf-8"),
    "/static/backward_view.js": ("autograd.viz", "backward_view.js", "text/javascript; charset=utf-8"),
    "/static/backward_view.css": ("autograd.viz", "backward_view.css", "text/css; charset=utf-8"),
}


def _read(package: str, name: str) -> bytes:
    return resources.files(package).joinpath(name).read_bytes()


def _need_server_packages() -> None:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"the playground needs Starlette and uvicorn ({exc.name} is missing): "
            "pip install 'gradwork[playground]'"
        ) from None


class _Tab:
    """One websocket's session and its play loop."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.session = Session()
        self.lock = asyncio.Lock()
        self.playing = False
        self.acked = asyncio.Event()
        self.acked.set()
        self.player: asyncio.Task | None = None

    async def call(self, fn: Any, *args: Any) -> Any:
        """Run a session method in a worker thread, one at a time per tab."""
        async with self.lock:
            return await asyncio.to_thread(fn, *args)

    async def send(self, message: dict) -> None:
        await self.ws.send_text(json.dumps(message, allow_nan=False))

    async def send_state(self, with_points: bool = False) -> None:
        state = await self.call(self.session.state, with_points)
        state["playing"] = self.playing
        self.acked.clear()
        await self.send(state)

    async def play_loop(self) -> None:
        try:
            while self.playing:
                await self.acked.wait()  # the page drew the last picture
                if not self.playing:
                    break
                try:
                    await self.call(self.session.train_for, PLAY_SLICE)
                except SettingError as exc:  # the run diverged: say so and stop playing
                    self.playing = False
                    await self.send({"type": "error", "message": str(exc)})
                await self.send_state()
        except Exception:  # the socket went away mid-send; the receive loop cleans up
            self.playing = False

    def stop(self) -> None:
        self.playing = False
        self.acked.set()
        if self.player is not None:
            self.player.cancel()

    async def handle(self, msg: Any) -> None:
        if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
            raise SettingError("each message is an object with a 'type'")
        kind = msg["type"]
        s = self.session
        if kind == "ack":
            self.acked.set()
        elif kind == "ping":  # the page's heartbeat: a live tab keeps its session
            pass
        elif kind == "hello":
            await self.send({"type": "spec", "spec": describe()})
            await self.send_state(with_points=True)
        elif kind == "set":
            await self.call(s.update, msg.get("settings"))
            await self.send_state(with_points=True)
        elif kind == "play":
            if not self.playing:
                self.playing = True
                self.acked.set()
                self.player = asyncio.create_task(self.play_loop())
        elif kind == "pause":
            self.playing = False
            await self.send_state()
        elif kind == "step":
            n = msg.get("n", 1)
            await self.call(s.step, n)
            await self.send_state()
        elif kind == "epoch":
            await self.call(s.epoch)
            await self.send_state()
        elif kind == "reset":
            self.playing = False
            await self.call(s.reset)
            await self.send_state(with_points=True)
        elif kind == "trace":
            data = await self.call(s.backprop, msg.get("example", 0), msg.get("layer"), msg.get("neuron", 0))
            await self.send(data)
        elif kind == "apply":
            data = await self.call(s.apply_example, msg.get("example", 0))
            await self.send(data)
            await self.send_state()
        elif kind == "export_script":
            text = await self.call(s.script)
            await self.send({"type": "script", "filename": "gradwork_playground_run.py", "text": text})
        elif kind == "export_checkpoint":
            blob = await self.call(s.checkpoint)
            await self.send({"type": "checkpoint", "filename": "gradwork_playground_model.npz",
                             "base64": base64.b64encode(blob).decode("ascii")})
        else:
            raise SettingError(f"unknown action {kind!r:.40}")


def create_app() -> Any:
    """The Starlette application (page, assets, websocket)."""
    _need_server_packages()
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route, WebSocketRoute
    from starlette.websockets import WebSocketDisconnect

    tabs: set[_Tab] = set()

    def page(path: str) -> Any:
        package, name, media = _FILES[path]

        async def endpoint(request: Any) -> Response:
            return Response(_read(package, name), media_type=media, headers={"Cache-Control": "no-cache"})

        return endpoint

    async def ws_endpoint(ws: Any) -> None:
        await ws.accept()
        if len(tabs) >= MAX_SESSIONS:
            await ws.send_text(json.dumps({"type": "error", "message": f"the playground serves {MAX_SESSIONS} tabs "
                                                                       "at once; close one and reload"}))
            await ws.close()
            return
        tab = _Tab(ws)
        tabs.add(tab)
        try:
            while True:
                try:
                    text = await asyncio.wait_for(ws.receive_text(), timeout=IDLE_SECONDS)
                except asyncio.TimeoutError:
                    log.info("closing a tab that was silent for %s s", IDLE_SECONDS)
                    await ws.close(code=1001)
                    break
                if len(text) > MAX_MESSAGE:
                    await tab.send({"type": "error", "message": "message too long; the run continues unchanged"})
                    continue
                try:
                    msg = json.loads(text)
                except ValueError:
                    await tab.send({"type": "error",
                                    "message": "could not read the message; the run continues unchanged"})
                    continue
                try:
                    await tab.handle(msg)
                except SettingError as exc:
                    await tab.send({"type": "error", "message": str(exc)})
                    if isinstance(msg, dict) and msg.get("type") == "set":
                        await tab.send_state()  # the page puts its controls back to the settings in force
                except WebSocketDisconnect:
                    raise
                except Exception as exc:  # a bug, not the learner's doing: say so, keep the session
                    log.exception("playground: action failed")
                    await tab.send({"type": "error", "message": f"internal error ({type(exc).__name__}: {exc}); "
                                                                "the run continues unchanged"})
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            tab.stop()
            tabs.discard(tab)

    routes = [Route(path, page(path)) for path in _FILES] + [WebSocketRoute("/ws", ws_endpoint)]
    app = Starlette(routes=routes)
    app.state.tabs = tabs
    return app


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"gradwork-playground: cannot listen on {host}:{port} ({exc.strerror}); "
                      "pick another --port, or leave it out for a free one") from None
    sock.listen(128)
    return sock


def _server(sock: socket.socket) -> Any:
    import uvicorn

    config = uvicorn.Config(create_app(), log_level="warning", ws_max_size=MAX_MESSAGE, ws_ping_interval=20,
                            ws_ping_timeout=20, lifespan="off")
    return uvicorn.Server(config)


def serve_in_thread(host: str = "127.0.0.1", port: int = 0) -> tuple[str, Any, threading.Thread]:
    """Start the playground in a background thread; returns (its address, the uvicorn server, the thread).

    Stop it with ``server.should_exit = True`` and ``thread.join()``.
    """
    _need_server_packages()
    sock = _bind(host, port)
    server = _server(sock)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        threading.Event().wait(0.02)
    return f"http://{host}:{sock.getsockname()[1]}/", server, thread


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> int:
    """``gradwork-playground [--port N] [--host H] [--no-browser]``."""
    p = argparse.ArgumentParser(prog="gradwork-playground",
                                description="Train a small network in your browser and watch back-propagation.")
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1, this machine only)")
    p.add_argument("--no-browser", action="store_true", help="print the address but do not open a browser")
    args = p.parse_args(argv)
    if not 0 <= args.port <= 65535:
        p.error(f"--port must be 0 to 65535, got {args.port}")
    try:
        _need_server_packages()
    except ImportError as exc:
        print(f"gradwork-playground: {exc}", file=sys.stderr)
        return 1
    if not _is_loopback(args.host):
        warnings.warn(f"gradwork-playground: listening on {args.host}, so other machines can reach the playground "
                      "and run training on this one; use the default 127.0.0.1 unless you mean it",
                      RuntimeWarning, stacklevel=2)
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        print(exc, file=sys.stderr)
        return 1
    shown = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{shown}:{sock.getsockname()[1]}/"
    print(f"gradwork playground: {url}  (Ctrl+C to stop)", flush=True)
    if not args.no_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        _server(sock).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

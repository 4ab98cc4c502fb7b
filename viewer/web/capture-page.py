#!/usr/bin/env python3
"""Serves a folder on 127.0.0.1, opens one of its pages in headless Chromium, waits until the page reports
that it has loaded (#status data-state "loaded" or "failed"), saves a screenshot and prints one JSON line:
{"state", "status", "picked", "seconds"}. Exits 0 when the page loaded, 1 when it failed or timed out.

The browser is driven through the DevTools protocol over a pipe (--remote-debugging-pipe), so nothing but
Python's standard library and Debian's chromium is needed; rendering is WebGL on SwiftShader (CPU).

usage: capture-page.py ROOT PAGE_QUERY OUT.png [--timeout S] [--size WxH] [--chromium PATH]
"""
import argparse
import base64
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


class DevTools:
    """Requests and replies of the DevTools protocol: JSON messages ended by a NUL byte."""

    def __init__(self, to_browser, from_browser):
        self.to_browser = to_browser
        self.from_browser = from_browser
        self.next_id = 0
        self.buffer = b''

    def call(self, method, params=None, session=None, deadline=None):
        self.next_id += 1
        message = {'id': self.next_id, 'method': method, 'params': params or {}}
        if session:
            message['sessionId'] = session
        os.write(self.to_browser, json.dumps(message).encode() + b'\0')
        while True:
            reply = self._read(deadline)
            if reply.get('id') == self.next_id:
                if 'error' in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get('result', {})

    def _read(self, deadline):
        while b'\0' not in self.buffer:
            if deadline and time.monotonic() > deadline:
                raise TimeoutError('no answer from the browser')
            chunk = os.read(self.from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError('the browser closed the pipe')
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b'\0', 1)
        return json.loads(message)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('root')
    parser.add_argument('page', help='path and query under ROOT, e.g. index.html?color=height_m')
    parser.add_argument('out')
    parser.add_argument('--timeout', type=float, default=120.0)
    parser.add_argument('--size', default='1024x768')
    parser.add_argument('--chromium', default=shutil.which('chromium') or 'chromium')
    arguments = parser.parse_args()
    width, height = (int(v) for v in arguments.size.split('x'))

    handler = functools.partial(QuietHandler, directory=arguments.root)
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f'http://127.0.0.1:{server.server_address[1]}/{arguments.page}'

    profile = tempfile.mkdtemp(prefix='citytwin-chromium-')
    to_browser_read, to_browser_write = os.pipe()
    from_browser_read, from_browser_write = os.pipe()
    browser = subprocess.Popen(
        [arguments.chromium, '--headless', '--no-sandbox', '--remote-debugging-pipe', f'--user-data-dir={profile}',
         '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--no-first-run',
         f'--window-size={width},{height}', 'about:blank'],
        # The pipe ends become the browser's fds 3 and 4; every other fd of this process is non-inheritable.
        close_fds=False, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=None if os.environ.get("CAPTURE_DEBUG") else subprocess.DEVNULL,
        preexec_fn=lambda: (os.dup2(to_browser_read, 3), os.dup2(from_browser_write, 4)))
    os.close(to_browser_read)
    os.close(from_browser_write)
    start = time.monotonic()
    deadline = start + arguments.timeout
    result = {'state': 'timeout', 'status': '', 'picked': None}
    try:
        tools = DevTools(to_browser_write, from_browser_read)
        target = tools.call('Target.createTarget', {'url': 'about:blank'}, deadline=deadline)['targetId']
        session = tools.call('Target.attachToTarget', {'targetId': target, 'flatten': True},
                             deadline=deadline)['sessionId']
        tools.call('Emulation.setDeviceMetricsOverride',
                   {'width': width, 'height': height, 'deviceScaleFactor': 1, 'mobile': False}, session, deadline)
        tools.call('Page.navigate', {'url': url}, session, deadline)
        probe = ("JSON.stringify({state: document.getElementById('status')?.dataset.state,"
                 " status: document.getElementById('status')?.textContent,"
                 " picked: document.getElementById('picked')?.dataset.buildingId ?? null})")
        while time.monotonic() < deadline:
            reply = tools.call('Runtime.evaluate', {'expression': probe, 'returnByValue': True}, session, deadline)
            value = reply.get('result', {}).get('value')
            if value:
                result.update(json.loads(value))
                if result['state'] in ('loaded', 'failed'):
                    break
            time.sleep(0.5)
        shot = tools.call('Page.captureScreenshot', {'format': 'png'}, session, time.monotonic() + 60)
        with open(arguments.out, 'wb') as out:
            out.write(base64.b64decode(shot['data']))
        try:
            tools.call('Browser.close', deadline=time.monotonic() + 10)
            browser.wait(timeout=10)
        except (OSError, RuntimeError, TimeoutError, subprocess.TimeoutExpired):
            pass  # killed below
    finally:
        browser.kill()
        browser.wait()
        server.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
    result['seconds'] = round(time.monotonic() - start, 2)
    print(json.dumps(result))
    return 0 if result['state'] == 'loaded' else 1


if __name__ == '__main__':
    sys.exit(main())

"""Runs Argo CD health_test.yaml cases against their health.lua with a Lua 5.1 interpreter.

Argo CD evaluates resource health scripts with gopher-lua (Lua 5.1) and a global `obj` holding the
live object; its own repository tests them from health_test.yaml files:

    tests:
      - healthStatus: {status: Healthy, message: "..."}
        inputPath: testdata/healthy.yaml

This runner does the same outside Argo CD: for every health_test.yaml under the given directories
it turns each input object into a Lua table literal, runs the sibling health.lua in an environment
with only Lua's base, string, table and math functions (as Argo CD's sandbox), prints the returned
table as JSON and compares status and message exactly. It also checks that every testdata file is
used by a case, and that an argocd-cm snippet, when given, carries health.lua unchanged.

    python3 argocd_health_test.py --lua lua5.1 [--snippet FILE KEY] DIR...

Prints one line per case and ends with "N passed, M failed"; exits 1 when anything failed.
"""

import argparse
import datetime
import json
import pathlib
import subprocess
import sys

import yaml

# Runs the health script as Argo CD does: `obj` global, no io/os/debug/package.
LUA_RUNNER = r"""
local chunk, err = loadfile(%(path)s)
if chunk == nil then
  io.stderr:write("cannot load health.lua: " .. tostring(err) .. "\n")
  os.exit(3)
end
local sandbox = {
  obj = %(obj)s,
  assert = assert, error = error, ipairs = ipairs, next = next, pairs = pairs, pcall = pcall,
  select = select, tonumber = tonumber, tostring = tostring, type = type, unpack = unpack,
  string = string, table = table, math = math,
}
setfenv(chunk, sandbox)
local ok, hs = pcall(chunk)
if not ok then
  io.stderr:write("health.lua failed: " .. tostring(hs) .. "\n")
  os.exit(4)
end
local function quote(s)
  s = tostring(s)
  s = string.gsub(s, '[%%c"\\]', function(c)
    return string.format("\\u%%04x", string.byte(c))
  end)
  return '"' .. s .. '"'
end
if type(hs) ~= "table" then
  io.write('{"error": ' .. quote("health.lua returned " .. type(hs)) .. '}\n')
  return
end
local parts = {}
for _, k in ipairs({"status", "message"}) do
  if hs[k] ~= nil then
    table.insert(parts, quote(k) .. ": " .. quote(hs[k]))
  end
end
io.write("{" .. table.concat(parts, ", ") .. "}\n")
"""


def lua_string(s):
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif code < 32 or code == 127:
            out.append("\\%03d" % code)
        elif code > 127:
            out.extend("\\%03d" % b for b in ch.encode("utf-8"))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def to_lua(value):
    """A Lua literal for a value of a JSON-shaped object (as Argo CD converts the live object)."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        # The API server sends RFC 3339 strings; PyYAML reads unquoted ones as timestamps.
        text = value.isoformat()
        return lua_string(text.replace("+00:00", "Z"))
    if isinstance(value, str):
        return lua_string(value)
    if isinstance(value, list):
        return "{" + ", ".join(to_lua(v) for v in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join("[%s] = %s" % (lua_string(str(k)), to_lua(v)) for k, v in value.items()) + "}"
    raise TypeError("cannot convert %r to Lua" % (value,))


def run_health(lua, health, obj):
    program = LUA_RUNNER % {"path": lua_string(str(health)), "obj": to_lua(obj)}
    proc = subprocess.run([lua, "-"], input=program, capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        return None, (proc.stderr or proc.stdout).strip()
    try:
        return json.loads(proc.stdout), None
    except json.JSONDecodeError:
        return None, "unreadable output from lua: %r" % proc.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lua", default="lua5.1")
    parser.add_argument("--snippet", nargs=2, action="append", default=[], metavar=("FILE", "KEY"),
                        help="an argocd-cm ConfigMap whose data[KEY] must equal a health.lua under DIR")
    parser.add_argument("dirs", nargs="+", type=pathlib.Path)
    args = parser.parse_args()

    passed = failed = 0

    def report(ok, name, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            print("PASS  %s" % name)
        else:
            failed += 1
            print("FAIL  %s%s" % (name, ("\n      " + detail.replace("\n", "\n      ")) if detail else ""))

    health_scripts = {}
    test_files = sorted(f for d in args.dirs for f in d.rglob("health_test.yaml"))
    if not test_files:
        report(False, "health_test.yaml", "none found under %s" % ", ".join(map(str, args.dirs)))
    for test_file in test_files:
        base = test_file.parent
        health = base / "health.lua"
        health_scripts[health.read_text(encoding="utf-8")] = health
        kind = "/".join(base.parts[-2:])  # <group>/<kind>
        spec = yaml.safe_load(test_file.read_text(encoding="utf-8")) or {}
        used = set()
        for case in spec.get("tests") or []:
            input_path = base / case["inputPath"]
            used.add(input_path.resolve())
            name = "%s %s" % (kind, case["inputPath"])
            want = case["healthStatus"]
            obj = yaml.safe_load(input_path.read_text(encoding="utf-8"))
            got, error = run_health(args.lua, health, obj)
            if error:
                report(False, name, error)
                continue
            want_pair = {"status": want.get("status"), "message": want.get("message", "")}
            got_pair = {"status": got.get("status"), "message": got.get("message", "")}
            report(got_pair == want_pair, "%s -> %s" % (name, got_pair["status"]),
                   "want %s\n got  %s" % (json.dumps(want_pair), json.dumps(got_pair)))
        testdata = base / "testdata"
        if testdata.is_dir():
            unused = sorted(str(p.relative_to(base)) for p in testdata.glob("*.yaml") if p.resolve() not in used)
            report(not unused, "%s testdata all used by health_test.yaml" % kind,
                   "unused: %s" % ", ".join(unused))

    for snippet, key in args.snippet:
        if not pathlib.Path(snippet).is_file():
            report(False, "%s data[%s] equals a health.lua" % (snippet, key), "no such file: run scripts/render-deploy")
            continue
        docs = [d for d in yaml.safe_load_all(pathlib.Path(snippet).read_text(encoding="utf-8")) if d]
        data = next((d.get("data", {}) for d in docs if d.get("kind") == "ConfigMap"), {})
        script = data.get(key)
        report(script is not None and script in health_scripts,
               "%s data[%s] equals a health.lua" % (snippet, key),
               "missing key" if script is None else "differs from every health.lua: run scripts/render-deploy")

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

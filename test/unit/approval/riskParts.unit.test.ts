import * as assert from 'node:assert/strict';
import { callArguments, formattedExpressions, literalIn, maskPython, matchingClose } from '../../../src/agent/risk/pythonSource';
import { isOutsideWorkingFolder, shown } from '../../../src/agent/risk/riskTypes';
import { shellRisks } from '../../../src/agent/risk/shellCommand';

function reasons(command: string): string[] {
  return shellRisks(command).map((hit) => `${hit.category}: ${hit.reason}`);
}

describe('risky code check parts', () => {
  describe('shell commands', () => {
    const cases: readonly (readonly [string, readonly string[]])[] = [
      ['ls -la', []],
      ['echo "rm -rf /"', []],
      ['cat data.csv | head', []],
      ['pip list', []],
      ['pip download x', []],
      ['conda env list', []],
      ['git status && git log', []],
      ['curl https://x -o out.html', []],
      ['wget https://x', []],
      ['rsync -a src/ dst/', []],
      ['echo hi 2>/dev/null > out.txt', []],
      ['echo hi > /tmp/scratch.txt', []],
      ['rm x', ['deletesFiles: deletes files (rm)']],
      ['rm -rf build', ['deletesFiles: deletes files (rm -rf)']],
      ['/bin/rm -f x', ['deletesFiles: deletes files (rm -f)']],
      ['ls && rm -r x', ['deletesFiles: deletes files (rm -r)']],
      ['find . -name "*.pyc" -delete', ['deletesFiles: deletes files (find -delete)']],
      ['find . -name "*.tmp" -exec rm {} \\;', ['deletesFiles: deletes files (find -exec rm)']],
      ['ls | xargs rm', ['deletesFiles: deletes files (rm)']],
      ['del /s /q build', ['deletesFiles: deletes files (del)']],
      ['Remove-Item -Recurse x', ['deletesFiles: deletes files (remove-item -Recurse)']],
      ['mv a b', ['deletesFiles: moves files (mv)']],
      ['pip install pandas', ['installsPackages: installs packages (pip install)']],
      ['pip -q install pandas', ['installsPackages: installs packages (pip install)']],
      ['pip3.11 install x', ['installsPackages: installs packages (pip3.11 install)']],
      ['pip uninstall -y x', ['installsPackages: uninstalls packages (pip uninstall)']],
      ['python3 -m pip install x', ['installsPackages: installs packages (pip install)']],
      ['-m pip install x', ['installsPackages: installs packages (pip install)']],
      ['mamba install -y x', ['installsPackages: installs packages (mamba install)']],
      ['npm i left-pad', ['installsPackages: installs packages (npm i)']],
      ['brew install jq', ['installsPackages: installs packages (brew install)']],
      ['apt-get remove x', ['installsPackages: uninstalls packages (apt-get remove)']],
      ['DEBIAN_FRONTEND=noninteractive apt-get install -y x', ['installsPackages: installs packages (apt-get install)']],
      ['sudo -E apt install x', ['changesEnvironment: runs as administrator (sudo)', 'installsPackages: installs packages (apt install)']],
      ['curl -X POST https://x', ['networkWrite: sends data over the network (curl)']],
      ['curl -XPUT https://x', ['networkWrite: sends data over the network (curl)']],
      ['curl --data-binary @f https://x', ['networkWrite: sends data over the network (curl)']],
      ['curl -F file=@a https://x', ['networkWrite: sends data over the network (curl)']],
      ['wget --post-data=a=1 https://x', ['networkWrite: sends data over the network (wget)']],
      ['ssh host ls', ['networkWrite: connects to a remote server (ssh)']],
      ['rsync -a out/ host:/srv/', ['networkWrite: connects to a remote server (rsync)']],
      ['git push', ['networkWrite: pushes to a remote (git push)']],
      ['chmod +x run.sh', ['changesEnvironment: changes file permissions (chmod)']],
      ['pkill python', ['changesEnvironment: stops other processes (pkill)']],
      ['systemctl restart nginx', ['changesEnvironment: changes the system (systemctl)']],
      ['mkfs.ext4 /dev/sdb', ['changesEnvironment: changes the system (mkfs.ext4)']],
      ['echo x >> ~/.bashrc', ['writesOutsideWorkspace: writes outside the working folder (~/.bashrc)']],
      ['echo x | tee /etc/x', ['writesOutsideWorkspace: writes outside the working folder (/etc/x)']],
      ['echo $(rm -rf x)', ['deletesFiles: deletes files (rm -rf)']],
    ];
    for (const [command, expected] of cases) it(command, () => assert.deepEqual(reasons(command), expected));
  });

  describe('paths outside the working folder', () => {
    const outside = ['/etc/hosts', '~/x', '~', '../x', 'a/../../b', '..', 'C:\\Windows', 'd:/data', '\\\\server\\share', '$HOME/x', '%USERPROFILE%\\x'];
    const inside = ['', 'x.csv', 'out/x.csv', './x', 'a..b', '..x', '/tmp/x', '/var/tmp/x', '/dev/null', '/tmp'];
    for (const path of outside) it(`${path} is outside`, () => assert.equal(isOutsideWorkingFolder(path), true));
    for (const path of inside) it(`${JSON.stringify(path)} is inside`, () => assert.equal(isOutsideWorkingFolder(path), false));

    it('shortens long text for reasons', () => {
      assert.equal(shown('a\n  b'), 'a b');
      assert.equal(shown('x'.repeat(100)).length, 60);
    });
  });

  describe('masking Python', () => {
    it('blanks strings and comments but keeps length, lines and string values', () => {
      const code = 'x = "a#b"  # c\ny = r\'\\n\' + b"\\x"\nz = """q\n"""';
      const source = maskPython(code);
      assert.equal(source.text.length, code.length);
      assert.equal(source.text.split('\n').length, code.split('\n').length);
      assert.equal(source.text.includes('#'), false);
      assert.equal(source.text.includes('a'), false);
      assert.deepEqual(source.strings.map((s) => s.value), ['a#b', '\\n', '\\x', 'q\n']);
      assert.equal(source.lineOf(code.indexOf('z')), 3);
      assert.equal(source.lineOf(code.length - 1), 4);
    });

    it('lifts IPython escape lines at the start of a logical line only', () => {
      const source = maskPython('!ls\nx = (\n!y)\n  %time f()\nfiles = !ls\ns = """\n!no\n"""\npip install x\nrm -rf y');
      assert.deepEqual(source.escapes, [
        { line: 1, text: '!ls' },
        { line: 4, text: '%time f()' },
        { line: 5, text: '!ls' },
        { line: 9, text: '%pip install x' },
        { line: 10, text: '%rm -rf y' },
      ]);
    });

    it('does not read valid Python as automagic', () => {
      for (const code of ['rm = 1', 'rm(x)', 'rm - x', 'rm -x', 'pip.main([])', 'mv if a else b']) assert.deepEqual(maskPython(code).escapes, [], code);
    });

    it('splits statements at line ends outside brackets and at semicolons', () => {
      const source = maskPython('a = 1; b = (2,\n 3)\nif x: \\\n  y');
      assert.deepEqual(source.statements.map((s) => source.text.slice(s.start, s.end).trim()), ['a = 1', 'b = (2,\n 3)', 'if x: \\\n  y']);
    });

    it('reads call arguments, keywords and literal values', () => {
      const source = maskPython('f("a" "b", x, mode=\'w\', *rest)');
      const open = source.text.indexOf('(');
      const args = callArguments(source.text, open, matchingClose(source.text, open));
      assert.deepEqual(args.map((a) => a.keyword), [undefined, undefined, 'mode', undefined]);
      const [first, second, third] = args;
      assert.ok(first && second && third);
      assert.equal(literalIn(source, first.valueStart, first.end), 'ab');
      assert.equal(literalIn(source, second.valueStart, second.end), undefined);
      assert.equal(literalIn(source, third.valueStart, third.end), 'w');
    });

    it('finds the expressions of f-strings', () => {
      assert.deepEqual(formattedExpressions('a {x} {{no}} {f(y)!r} {z:>{w}} {d["k"]}'), ['x', 'f(y)', 'z', 'd["k"]']);
      assert.deepEqual(formattedExpressions('{'), ['']);
    });
  });
});

"""Shell commands in the risky-code check: tokenized with the standard library's `shlex` (the
maintained POSIX tokenizer the interpreter ships), then only a short list of read-only commands
passes. Pipes between them are fine; a redirect must write a literal path inside the folder."""
import shlex

READ_ONLY = {'ls', 'cat', 'head', 'tail', 'wc', 'pwd', 'echo', 'grep', 'sort', 'uniq', 'cut', 'du', 'df', 'which',
             'file', 'stat', 'date', 'whoami', 'nvidia-smi', 'uname', 'tree', 'nproc', 'free', 'find', 'less', 'true'}
# Subcommands that only read: `pip list`, `conda list`, `python --version`.
READ_ONLY_SUB = {'pip': {'list', 'show', 'freeze', '--version'}, 'pip3': {'list', 'show', 'freeze', '--version'},
                 'conda': {'list', 'info', '--version'}, 'python': {'--version', '-V'}, 'python3': {'--version', '-V'}}
# Options of read-only commands that make them write or run something.
BAD_OPTIONS = {'find': {'-delete', '-exec', '-execdir', '-ok', '-okdir', '-fprint', '-fprintf', '-fls', '-fprint0'},
               'sort': {'-o', '--output'}}
OPERATORS = {'|', '&&', '||', ';', '&', '\n'}
REDIRECTS = {'>', '>>', '>|', '&>', '&>>'}


def shell_reasons(command, write_ok):
    """Why a shell command line asks (empty when it is read-only). `write_ok(path)` tells
    whether a redirect target is a literal path inside the folder."""
    if any(c in command for c in '$`{}\\') or '<(' in command or '>(' in command:
        return ['runs a shell command the check cannot read exactly: `%s`' % shown(command)]
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=';&|<>')
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError as error:
        return ['runs a shell command the check cannot tokenize (%s): `%s`' % (error, shown(command))]
    reasons = []
    segment = []
    pending_redirect = None
    for token in tokens + [';']:
        if pending_redirect is not None:
            if not write_ok(token):
                reasons.append('redirects shell output to `%s`, outside the folder or not a literal path' % shown(token))
            pending_redirect = None
            continue
        if token in REDIRECTS or (token.endswith('>') and token.rstrip('>').isdigit()):
            pending_redirect = token
            continue
        if token in ('2>&1', '>&'):
            continue
        if token in OPERATORS or set(token) <= set(';&|'):
            if set(token) - set(';&|'):
                reasons.append('runs a shell command with `%s`' % token)
            reasons.extend(command_reasons(segment))
            segment = []
            continue
        if token.startswith('<') or token.startswith('>'):
            reasons.append('runs a shell command with `%s`' % shown(token))
            continue
        segment.append(token)
    return reasons


def command_reasons(words):
    """Why one simple command (its words) asks."""
    if not words:
        return []
    name = words[0]
    if '=' in name:
        return ['sets an environment variable in a shell command (`%s`)' % shown(name)]
    if name in READ_ONLY_SUB:
        if len(words) > 1 and words[1] in READ_ONLY_SUB[name]:
            return []
        category = 'installs packages' if len(words) > 1 and words[1] in ('install', 'uninstall', 'remove') else 'runs'
        return ['%s with the shell command `%s`' % (category, shown(' '.join(words)))]
    if name not in READ_ONLY:
        return ['runs the shell command `%s`, which is not on the read-only list' % shown(' '.join(words))]
    bad = BAD_OPTIONS.get(name, set())
    for word in words[1:]:
        if word in bad or any(word.startswith(option + '=') for option in bad):
            return ['runs `%s %s`, which can write or run commands' % (name, word)]
    return []


def shown(text, limit=60):
    one_line = ' '.join(str(text).split())
    return one_line if len(one_line) <= limit else one_line[:limit - 1] + '…'

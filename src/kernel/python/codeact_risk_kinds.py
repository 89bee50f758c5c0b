"""What the risky-code check knows about names and values, and the rules it looks them up in."""
import ast

from codeact_risk_rules import RULES

MAX_NESTING = 3
# Modules whose members have their own rules: importing them is harmless.
IMPORTABLE = {'os', 'sys', 'shutil', 'subprocess', 'io', 'pathlib', 'IPython.display', 'logging', 'operator', 'contextlib', 'types', 'os.path'}
# Settings of allowlisted libraries that code may change.
SETTABLE = ('pandas.options', 'matplotlib.rcParams', 'matplotlib.pyplot.rcParams', 'numpy.random.seed')
# Builtins that only read or show what they are given: unresolved values may be passed to them.
DATA_SINKS = {'print', 'len', 'round', 'str', 'int', 'float', 'repr', 'display', 'bool', 'abs', 'list', 'tuple', 'sum',
              'set', 'isinstance', 'type', 'format', 'enumerate', 'zip', 'range', 'sorted', 'min', 'max', 'divmod'}
SAFE_DUNDERS = {'__name__', '__doc__', '__version__'}

# Kinds of value a name or expression holds.
UNKNOWN = ('unknown',)  # from an earlier action, a parameter, or anything the check cannot follow
DATA = ('data',)  # made in this cell by allowlisted code: cannot be a module or a dangerous function
LOCAL = ('local',)  # a function or class defined in this cell (its body is checked)
HANDLE = ('handle',)  # a file or writer this cell opened through a checked call


def module_kind(name):
    return ('qualified', name)


def rule_for(name):
    parts = name.split('.')
    for end in range(len(parts), 0, -1):
        rule = RULES.get('.'.join(parts[:end]))
        if rule is not None:
            return rule
    return None


def shell_category(reason):
    if reason.startswith('installs'):
        return 'installsPackages'
    if reason.startswith('redirects'):
        return 'writesOutsideWorkspace'
    return 'runsShell'


def local_read_literal(path):
    """A literal path that names a local file: no URL, no network share."""
    if not isinstance(path, str):
        return False
    if path.startswith(('\\\\', '//')) or '://' in path:
        return False
    head = path.split(':', 1)[0]
    return ':' not in path or (len(head) == 1 and head.isalpha())


class Binder:
    """Collects what each name in the cell may hold. A name bound twice in different ways
    holds the least known of them."""

    def __init__(self, cell):
        self.cell = cell
        self.pending = []

    def bind(self, name, kind):
        bindings = self.cell.bindings
        if name in bindings and bindings[name] != kind:
            kind = UNKNOWN if UNKNOWN in (bindings[name], kind) or kind[0] == 'qualified' or bindings[name][0] == 'qualified' else DATA
        bindings[name] = kind

    def visit_Import(self, node):
        for alias in node.names:
            if alias.asname:
                self.bind(alias.asname, module_kind(alias.name))
                self.cell.bindings['import:' + alias.asname] = module_kind(alias.name)
            else:
                top = alias.name.split('.')[0]
                self.bind(top, module_kind(top))
                self.cell.bindings['import:' + top] = module_kind(top)

    def visit_ImportFrom(self, node):
        for alias in node.names:
            name = alias.asname or alias.name
            qualified = module_kind('%s.%s' % (node.module, alias.name)) if node.module and not node.level else UNKNOWN
            self.bind(name, qualified)
            self.cell.bindings['import:' + name] = qualified

    def visit_FunctionDef(self, node):
        self.bind(node.name, LOCAL)
        args = node.args
        for arg in args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]:
            self.bind(arg.arg, UNKNOWN)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        args = node.args
        for arg in args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]:
            self.bind(arg.arg, UNKNOWN)

    def visit_ClassDef(self, node):
        self.bind(node.name, LOCAL)

    def target(self, target, kind):
        if isinstance(target, ast.Name):
            self.bind(target.id, kind)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.target(element, kind if kind is UNKNOWN else DATA)
        elif isinstance(target, ast.Starred):
            self.target(target.value, kind)

    def later(self, target, value):
        self.pending.append((target, value))

    def visit_Assign(self, node):
        for target in node.targets:
            self.later(target, node.value)

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self.later(node.target, node.value)

    def visit_AugAssign(self, node):
        self.later(node.target, node.value)

    def visit_NamedExpr(self, node):
        self.later(node.target, node.value)

    def visit_For(self, node):
        self.later(node.target, node.iter)

    visit_AsyncFor = visit_For

    def visit_comprehension(self, node):
        self.later(node.target, node.iter)

    def visit_withitem(self, node):
        if node.optional_vars is not None:
            self.later(node.optional_vars, node.context_expr)

    def visit_ExceptHandler(self, node):
        if node.name:
            self.bind(node.name, DATA)

    def visit_Global(self, node):
        for name in node.names:
            self.bind(name, UNKNOWN)

    visit_Nonlocal = visit_Global

    def visit(self, tree):
        # One flat walk (faster than a visitor's recursion): each binding form is found wherever it is.
        for node in ast.walk(tree):
            handler = getattr(self, 'visit_' + type(node).__name__, None)
            if handler is not None:
                handler(node)
        # Assignments are resolved until nothing changes, so `b = a` sees what `a` holds.
        # Each pass remembers what it has worked out; the next starts afresh with what changed.
        for _ in range(4):
            before = dict(self.cell.bindings)
            self.cell.kinds = {}
            for target, value in self.pending:
                self.target(target, self.cell.kind_of(value))
            if before == self.cell.bindings:
                break
        self.cell.kinds = None

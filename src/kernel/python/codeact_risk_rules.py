"""The allowlist of the risky-code check: what is known to be harmless. Everything else asks.

A rule is looked up by the longest dotted prefix of a resolved name (``numpy.save`` before
``numpy``). Values:
  'pure'            referencing and calling it is harmless
  ('write', i)      harmless when argument i (or the path keyword) is a literal path in the folder
  ('read', i)       harmless when argument i is a local path (no URL, no network share)
  'open'            the builtin open's rules (mode, path)
  'shell'           a command line or argument list, checked by the shell rules
  ('ask', category, words)  known not to be harmless
A name with no rule is unknown, and asks.
"""

PURE_MODULES = [
    'math', 'cmath', 'statistics', 'json', 'csv', 're', 'datetime', 'time', 'calendar', 'collections',
    'itertools', 'functools', 'random', 'string', 'decimal', 'fractions', 'typing', 'dataclasses', 'enum',
    'copy', 'textwrap', 'pprint', 'heapq', 'bisect', 'numbers', 'hashlib', 'base64', 'binascii', 'struct',
    'unicodedata', 'difflib', 'warnings', 'abc', 'zoneinfo', 'glob', 'fnmatch', 'numpy', 'pandas',
    'matplotlib', 'seaborn', 'scipy', 'sklearn', 'tqdm', 'os.path', 'posixpath', 'ntpath',
]

ASK = 'ask'

RULES = {name: 'pure' for name in PURE_MODULES}
RULES.update({
    # builtins (resolved as 'builtins.x')
    'builtins.open': 'open',
    'io.open': 'open',
    'io.StringIO': 'pure', 'io.BytesIO': 'pure', 'io': (ASK, 'unknownCode', 'uses `io` beyond in-memory buffers'),
    'os': (ASK, 'unknownCode', None),
    'os.path': 'pure', 'os.listdir': 'pure', 'os.getcwd': 'pure', 'os.scandir': 'pure', 'os.walk': 'pure',
    'os.cpu_count': 'pure', 'os.sep': 'pure', 'os.linesep': 'pure', 'os.getpid': 'pure', 'os.name': 'pure',
    'os.makedirs': ('write', 0), 'os.mkdir': ('write', 0),
    'os.system': (ASK, 'runsShell', None), 'os.popen': (ASK, 'runsShell', None),
    'os.remove': (ASK, 'deletesFiles', None), 'os.unlink': (ASK, 'deletesFiles', None), 'os.rmdir': (ASK, 'deletesFiles', None),
    'os.removedirs': (ASK, 'deletesFiles', None), 'os.rename': (ASK, 'deletesFiles', None), 'os.replace': (ASK, 'deletesFiles', None),
    'os.chdir': (ASK, 'changesEnvironment', 'changes the working folder (`os.chdir`)'),
    'os.environ': (ASK, 'changesEnvironment', None), 'os.putenv': (ASK, 'changesEnvironment', None),
    'os.kill': (ASK, 'changesEnvironment', None), 'os.chmod': (ASK, 'changesEnvironment', None),
    'os.symlink': (ASK, 'writesOutsideWorkspace', None), 'os.link': (ASK, 'writesOutsideWorkspace', None),
    'os.open': (ASK, 'writesOutsideWorkspace', None), 'os.write': (ASK, 'writesOutsideWorkspace', None),
    'posix': (ASK, 'runsShell', None), 'nt': (ASK, 'runsShell', None),
    'pathlib.Path': 'pure', 'pathlib.PurePath': 'pure', 'pathlib.PurePosixPath': 'pure', 'pathlib.PureWindowsPath': 'pure',
    'sys.version': 'pure', 'sys.version_info': 'pure', 'sys.platform': 'pure', 'sys.stdout': 'pure', 'sys.stderr': 'pure',
    'sys.getsizeof': 'pure', 'sys.maxsize': 'pure', 'sys.float_info': 'pure', 'sys.executable': 'pure',
    'sys': (ASK, 'changesEnvironment', None),
    'shutil.copy': ('write', 1), 'shutil.copy2': ('write', 1), 'shutil.copyfile': ('write', 1), 'shutil.copytree': ('write', 1),
    'shutil.which': 'pure', 'shutil.disk_usage': 'pure', 'shutil.get_terminal_size': 'pure',
    'shutil': (ASK, 'deletesFiles', None),
    'subprocess.run': 'shell', 'subprocess.call': 'shell', 'subprocess.check_call': 'shell', 'subprocess.check_output': 'shell',
    'subprocess.Popen': 'shell', 'subprocess.PIPE': 'pure', 'subprocess.DEVNULL': 'pure', 'subprocess.STDOUT': 'pure',
    'subprocess': (ASK, 'runsShell', None),
    'json.dump': 'pure', 'operator': 'pure', 'operator.methodcaller': (ASK, 'runsDynamicCode', None),
    'contextlib': 'pure', 'contextlib.chdir': (ASK, 'changesEnvironment', None),
    'logging': 'pure', 'logging.FileHandler': (ASK, 'writesOutsideWorkspace', None),
    'IPython.display.display': 'pure', 'IPython.display.Markdown': 'pure', 'IPython.display.Math': 'pure',
    'IPython.display.Latex': 'pure', 'IPython.display.clear_output': 'pure',
    'types.SimpleNamespace': 'pure',
    # numpy
    'numpy.save': ('write', 0), 'numpy.savez': ('write', 0), 'numpy.savez_compressed': ('write', 0), 'numpy.savetxt': ('write', 0),
    'numpy.load': ('read', 0), 'numpy.loadtxt': ('read', 0), 'numpy.genfromtxt': ('read', 0), 'numpy.fromfile': ('read', 0),
    'numpy.memmap': (ASK, 'writesOutsideWorkspace', None), 'numpy.DataSource': (ASK, 'networkWrite', None),
    'numpy.ctypeslib': (ASK, 'changesEnvironment', None), 'numpy.f2py': (ASK, 'changesEnvironment', None),
    'numpy.distutils': (ASK, 'changesEnvironment', None), 'numpy.lib': (ASK, 'unknownCode', None),
    'numpy.testing': (ASK, 'unknownCode', None),
    # pandas
    'pandas.read_pickle': (ASK, 'runsDynamicCode', 'loads a pickle, which can run code (`pandas.read_pickle`)'),
    'pandas.read_sql': (ASK, 'networkWrite', None), 'pandas.read_sql_query': (ASK, 'networkWrite', None),
    'pandas.read_sql_table': (ASK, 'networkWrite', None), 'pandas.read_gbq': (ASK, 'networkWrite', None),
    'pandas.read_clipboard': (ASK, 'runsShell', None), 'pandas.eval': (ASK, 'runsDynamicCode', None),
    'pandas.io': (ASK, 'unknownCode', None), 'pandas.core': (ASK, 'unknownCode', None), 'pandas._libs': (ASK, 'unknownCode', None),
    'pandas.core.frame.DataFrame': 'pure', 'pandas.core.series.Series': 'pure', 'matplotlib.use': (ASK, 'runsDynamicCode', None),
    'sklearn.utils._joblib': (ASK, 'unknownCode', None), 'sklearn.externals': (ASK, 'unknownCode', None), 'pandas.ExcelWriter': ('write', 0), 'pandas.HDFStore': ('write', 0),
    'matplotlib.pyplot.savefig': ('write', 0), 'matplotlib.pyplot.imsave': ('write', 0), 'matplotlib.pyplot.imread': ('read', 0),
    'matplotlib.image.imsave': ('write', 0),
    'seaborn.load_dataset': (ASK, 'networkWrite', 'downloads a data set (`seaborn.load_dataset`)'),
    'seaborn.get_dataset_names': (ASK, 'networkWrite', None),
    'scipy.io.savemat': ('write', 0), 'scipy.io.mmwrite': ('write', 0), 'scipy.io.wavfile.write': ('write', 0),
    'scipy.io.loadmat': ('read', 0), 'scipy.datasets': (ASK, 'networkWrite', None), 'scipy.LowLevelCallable': (ASK, 'runsDynamicCode', None),
    'sklearn.datasets.fetch_openml': (ASK, 'networkWrite', None),
})
for _name in ('read_csv', 'read_table', 'read_excel', 'read_json', 'read_parquet', 'read_feather', 'read_hdf', 'read_fwf',
              'read_html', 'read_xml', 'read_stata', 'read_sas', 'read_spss', 'read_orc'):
    RULES['pandas.' + _name] = ('read', 0)
for _name in ('fetch_california_housing', 'fetch_20newsgroups', 'fetch_20newsgroups_vectorized', 'fetch_covtype',
              'fetch_kddcup99', 'fetch_lfw_pairs', 'fetch_lfw_people', 'fetch_olivetti_faces', 'fetch_rcv1', 'fetch_species_distributions'):
    RULES['sklearn.datasets.' + _name] = (ASK, 'networkWrite', None)

# Names known without an import. Anything else not bound in the cell is unresolved.
SAFE_BUILTINS = {
    'print', 'len', 'range', 'enumerate', 'zip', 'sorted', 'sum', 'min', 'max', 'abs', 'round', 'int', 'float', 'str',
    'bool', 'list', 'dict', 'set', 'tuple', 'frozenset', 'isinstance', 'issubclass', 'type', 'repr', 'format', 'any',
    'all', 'map', 'filter', 'reversed', 'iter', 'next', 'divmod', 'pow', 'hash', 'id', 'chr', 'ord', 'hex', 'bin', 'oct',
    'slice', 'object', 'super', 'property', 'staticmethod', 'classmethod', 'hasattr', 'callable', 'complex', 'bytes',
    'bytearray', 'dir', 'display', 'True', 'False', 'None', 'NotImplemented', 'Ellipsis', 'Exception', 'ValueError',
    'TypeError', 'KeyError', 'IndexError', 'RuntimeError', 'StopIteration', 'ZeroDivisionError', 'AttributeError',
    'FileNotFoundError', 'OSError', 'ImportError', 'NameError', 'AssertionError', 'ArithmeticError', 'LookupError',
    'NotImplementedError', 'Warning', 'UserWarning', 'DeprecationWarning', 'BaseException', '__name__',
}
BUILTIN_ASK = {
    'exec': 'runsDynamicCode', 'eval': 'runsDynamicCode', 'compile': 'runsDynamicCode', '__import__': 'runsDynamicCode',
    'globals': 'runsDynamicCode', 'locals': 'runsDynamicCode', 'vars': 'runsDynamicCode', 'setattr': 'changesEnvironment',
    'delattr': 'changesEnvironment', 'breakpoint': 'runsDynamicCode', 'exit': 'changesEnvironment', 'quit': 'changesEnvironment',
    '__builtins__': 'runsDynamicCode', 'memoryview': 'unknownCode', 'input': 'unknownCode', 'help': 'unknownCode',
    'get_ipython': 'runsDynamicCode',
}

# Methods on values made in this cell that write a file: the index of the path argument
# ('self' when the receiver is the path, e.g. Path('a').write_text(s)).
WRITE_METHODS = {
    'to_csv': 0, 'to_excel': 0, 'to_json': 0, 'to_parquet': 0, 'to_feather': 0, 'to_html': 0, 'to_latex': 0,
    'to_markdown': 0, 'to_xml': 0, 'to_hdf': 0, 'to_stata': 0, 'to_orc': 0, 'to_string': 0, 'savefig': 0, 'tofile': 0,
    'save': 0, 'to_netcdf': 0, 'write_image': 0, 'write_html': 0, 'print_figure': 0, 'print_png': 0,
    'write_text': 'self', 'write_bytes': 'self', 'touch': 'self', 'mkdir': 'self',
}
PATH_KEYWORDS = ('path_or_buf', 'path', 'excel_writer', 'buf', 'fname', 'file', 'filename', 'filepath_or_buffer', 'io', 'dst')
# Methods that ask on any receiver.
ASK_METHODS = {
    'to_pickle': 'runsDynamicCode', 'to_sql': 'networkWrite', 'to_clipboard': 'runsShell', 'to_gbq': 'networkWrite',
    'dump': 'runsDynamicCode', 'unlink': 'deletesFiles', 'rmdir': 'deletesFiles', 'rename': 'deletesFiles',
    'symlink_to': 'writesOutsideWorkspace', 'hardlink_to': 'writesOutsideWorkspace', 'link_to': 'writesOutsideWorkspace',
    'chmod': 'changesEnvironment', 'lchmod': 'changesEnvironment', 'system': 'runsShell', 'popen': 'runsShell',
    'extractall': 'writesOutsideWorkspace', 'extract': 'writesOutsideWorkspace', 'upload_file': 'networkWrite',
}
# Methods that read a code string: harmless only for a literal without calls or local references.
CODE_STRING_METHODS = {'query', 'eval'}
# Calls that call a function they are given: an unresolved function passed to them asks.
HIGHER_ORDER = {'apply', 'applymap', 'map', 'transform', 'agg', 'aggregate', 'pipe', 'filter', 'reduce', 'partial',
                'vectorize', 'frompyfunc', 'apply_along_axis', 'FunctionTransformer', 'groupby', 'resample', 'rolling',
                'combine', 'where', 'mask', 'assign', 'starmap', 'accumulate', 'filterfalse', 'takewhile', 'dropwhile',
                'call', 'callback', 'defaultdict', 'seterrcall', 'minimize', 'minimize_scalar', 'quad', 'dblquad',
                'curve_fit', 'root', 'root_scalar', 'brentq', 'fsolve', 'least_squares', 'differential_evolution',
                'basinhopping', 'solve_ivp', 'odeint', 'fmin', 'newton', 'piecewise', 'fromfunction', 'make_scorer',
                'cache', 'lru_cache', 'wraps', 'pipe', 'map_partitions'}
# Keywords that pass a function the callee will call.
CALLABLE_KEYWORDS = {'key', 'func', 'function', 'callback', 'fun', 'hook', 'object_hook', 'object_pairs_hook',
                     'parse_float', 'parse_int', 'parse_constant', 'default', 'target', 'converters', 'aggfunc', 'fn',
                     'f', 'default_factory', 'initializer', 'metric', 'kernel', 'score_func', 'preprocessor',
                     'tokenizer', 'analyzer', 'formatter', 'date_parser', 'date_format', 'opener', 'filter'}

# Attributes harmless on any receiver, even one from an earlier action (which may be a module):
# data-science methods no module in the standard library or the allowlisted ones uses for harm.
SAFE_ANY_RECEIVER = set('''
head tail describe info shape columns index dtypes dtype values size ndim T loc iloc at iat mean median mode sum
std var min max count nunique unique value_counts groupby agg aggregate sort_values sort_index reset_index set_index
rename_axis fillna dropna isna isnull notna notnull astype round abs cumsum cumprod diff pct_change corr cov
merge concat pivot pivot_table melt stack unstack explode duplicated drop_duplicates drop sample nlargest nsmallest
idxmax idxmin argmax argmin argsort reshape flatten ravel transpose squeeze clip plot hist bar barh scatter boxplot
set_title set_xlabel set_ylabel set_xlim set_ylim legend grid tight_layout show subplots figure imshow colorbar
fit predict predict_proba score transform fit_transform fit_predict coef_ intercept_ classes_ feature_importances_
best_params_ best_score_ cv_results_ items keys upper lower strip split startswith endswith append extend
copy_ isin between quantile rank shift dot sqrt log exp any all tolist to_numpy to_dict to_list to_frame
str dt cat name title annotate text xlabel ylabel xticks yticks iterrows itertuples nbytes memory_usage
'''.split())

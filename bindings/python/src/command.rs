//! Python command dicts to the JSON text of the contract (`docs/contract.md`), strictly.
//!
//! | Python value | where | JSON |
//! |---|---|---|
//! | `decimal.Decimal` | a money field | decimal string, no exponent (`format(d, "f")`); NaN and infinities pass as text, so the core refuses them (`INVALID_AMOUNT`) |
//! | `int` | a money field | decimal string |
//! | `str` | a money field | as written (the core checks it) |
//! | `float` anywhere, `bool` in a money field | | refused |
//! | `decimal.Decimal` | any other field | refused |
//! | `datetime.date` | a date field (`signed_on`, `as_of`: the keys of `DATE_KEYS`) | `"YYYY-MM-DD"` |
//! | `datetime.date` | any other field | refused (an id or a name is not a date) |
//! | `datetime.datetime` | `recorded_at` | RFC 3339 if timezone-aware; naive is refused |
//! | `datetime.datetime` | any other field | refused (a date belongs there) |
//! | `None`, `bool`, `int`, `str`, `dict`, `list`, `tuple` | elsewhere | null, boolean, number, string, object, array |
//!
//! A whole command given as a `str` is JSON text already and goes to the core unchanged.
//!
//! A refused value is the core's `INVALID_COMMAND` naming the field (what the core says of
//! a JSON number where an amount belongs, and the WebAssembly binding of a JavaScript
//! number), raised as `funding_window.CommandTypeError`, which is also a `TypeError`.
//!
//! Two more mistakes are the core's `INVALID_COMMAND` (not a `TypeError`: the Python type is
//! right, its value is not): a `str` holding a lone surrogate (`"\ud800"`, which no UTF-8
//! text can carry), and a value whose own Python code raises while it is read (a dict
//! subclass whose `__iter__` raises, a `tzinfo` whose `utcoffset` raises, a generator of
//! commands that raises). The exception raised by the value is kept as the error's
//! `__cause__`. Only `KeyboardInterrupt`, `SystemExit` and `MemoryError` pass through as they are.
//!
//! The same rules write the option objects of method arguments (`export_csv`'s `args`,
//! `export_iati`'s options; [`arguments`]); a refusal there is `INVALID_ARGUMENT` naming
//! the argument (`funding_window.ArgumentTypeError`, also a `TypeError`).
//!
//! Money fields are the core's [`DECIMAL_FIELDS`] (values) and [`DECIMAL_TABLE_FIELDS`]
//! (tables of resolution id to amount), at the top level of a command. Everything else
//! about a command (unknown fields, missing fields, malformed amounts) is the core's to
//! judge; the binding only refuses what has no faithful JSON form.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::rc::Rc;

use funding_window::{LedgerError, DECIMAL_FIELDS, DECIMAL_TABLE_FIELDS};
use pyo3::exceptions::{PyException, PyMemoryError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyDate, PyDateAccess, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType,
};

use crate::errors;
use crate::values::{decimal_type, DATE_KEYS};

/// Deepest nesting of dicts and lists accepted in a command (the contract needs three levels).
pub const COMMAND_DEPTH_MAX: usize = 16;

/// Largest exponent of a `decimal.Decimal` written out in full; beyond it the text keeps its
/// exponent and the core refuses it, rather than the binding writing millions of zeros.
const DECIMAL_EXPONENT_WRITTEN_MAX: i64 = 64;

/// Why a Python value was not turned into JSON.
pub enum Refusal {
    /// An error of the interpreter itself (an import that failed), raised as it is.
    Python(PyErr),
    /// An exception raised by the value's own Python code while it was read (a failing
    /// `utcoffset`, an `__iter__` that raises): the core's error naming the place, raised with
    /// the value's exception as its `__cause__`.
    Raised(Box<(PyErr, LedgerError)>),
    /// A value the core would refuse, reported as the core's own error.
    Core(LedgerError),
    /// A Python type with no place there, reported as the core's error for the same
    /// mistake and raised as a class that is also a `TypeError`.
    Type(LedgerError),
}

impl From<PyErr> for Refusal {
    fn from(e: PyErr) -> Self {
        Refusal::Python(e)
    }
}

impl Refusal {
    /// The Python exception, tagged with the command's position in a batch.
    pub fn into_pyerr(self, py: Python<'_>, index: Option<usize>) -> PyErr {
        match self {
            Refusal::Core(e) => errors::to_pyerr(py, &e, index),
            Refusal::Type(e) => errors::to_type_error(py, &e, index),
            Refusal::Raised(raised) => {
                let (cause, e) = *raised;
                if passes_through(py, &cause) {
                    return tagged(py, cause, index);
                }
                let err = errors::to_pyerr(py, &e, index);
                err.set_cause(py, Some(cause));
                err
            }
            Refusal::Python(e) => tagged(py, e, index),
        }
    }
}

impl Refusal {
    /// Command `index` of a batch could not be read: the iterable of commands raised.
    pub fn unreadable(py: Python<'_>, index: usize, error: PyErr) -> Refusal {
        let kind = error.get_type(py).name().map(|n| n.to_string()).unwrap_or_else(|_| "an exception".into());
        let message = format!("command {index} cannot be read: the batch raised {kind}: {}", error.value(py));
        Refusal::Raised(Box::new((error, LedgerError::InvalidCommand { message })))
    }
}

/// A method's argument whose own Python code raised while it was read (a path-like whose
/// `__fspath__` raises): `InvalidArgument`, with the exception as its `__cause__`.
pub fn argument_raised(py: Python<'_>, name: &str, value: &Bound<'_, PyAny>, error: PyErr) -> PyErr {
    let kind = error.get_type(py).name().map(|n| n.to_string()).unwrap_or_else(|_| "an exception".into());
    let reason = format!("reading it raised {kind}: {}", error.value(py));
    let core = LedgerError::InvalidArgument { name: name.to_owned(), value: type_name(value), reason };
    Refusal::Raised(Box::new((error, core))).into_pyerr(py, None)
}

/// Interruptions and exhausted memory are not the value's fault: they propagate unchanged.
fn passes_through(py: Python<'_>, error: &PyErr) -> bool {
    !error.is_instance_of::<PyException>(py) || error.is_instance_of::<PyMemoryError>(py)
}

/// `error` with the command's position in a batch as `index` (best effort: the exception
/// still says what is wrong without it).
fn tagged(py: Python<'_>, error: PyErr, index: Option<usize>) -> PyErr {
    if let Some(i) = index {
        let _ = error.value(py).setattr(intern!(py, "index"), i);
    }
    error
}

/// Where a value sits in a command, for messages (`purpose.window.earmarked_to[0]`).
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    /// Whether the value here is a date of the contract (`signed_on`, `as_of`, ...): the
    /// only place a `datetime.date` may stand, so that a date given for an id or a name is
    /// refused rather than written as its text.
    fn names_a_date(&self) -> bool {
        matches!(self, Path::Key(_, key) if DATE_KEYS.contains(key))
    }

    /// The path as a field name (`purpose.window.earmarked_to[0]`), or `root` for the whole.
    fn write(&self, out: &mut String, root: &str) {
        match self {
            Path::Root => out.push_str(root),
            Path::Key(Path::Root, key) => out.push_str(key),
            Path::Key(parent, key) => {
                parent.write(out, root);
                out.push('.');
                out.push_str(key);
            }
            Path::Index(parent, i) => {
                parent.write(out, root);
                let _ = write!(out, "[{i}]");
            }
        }
    }
}

/// What is being written, which decides the error a refusal is.
#[derive(Clone, Copy)]
enum Subject {
    /// A command: a refusal is `INVALID_COMMAND` naming the field.
    Command,
    /// A method's options (keyword arguments): a refusal is `INVALID_ARGUMENT` named after
    /// the option (`as_of`), or after the argument (`args`) for the whole.
    Argument(&'static str),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Type,
    Money,
    MoneyTable,
    RecordedAt,
    Plain,
}

fn field_kind(key: &str) -> Field {
    if key == "type" {
        Field::Type
    } else if DECIMAL_FIELDS.contains(&key) {
        Field::Money
    } else if DECIMAL_TABLE_FIELDS.contains(&key) {
        Field::MoneyTable
    } else if key == "recorded_at" {
        Field::RecordedAt
    } else {
        Field::Plain
    }
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".to_owned())
}

/// Most strings remembered by a [`Writer`] (see [`Writer::cached`]): more than the field
/// names and command types of the contract.
const STRING_CACHE_MAX: usize = 64;

/// Writes commands as JSON text.
///
/// Command dicts of a batch share their key objects and command types: the first
/// [`STRING_CACHE_MAX`] distinct ones are converted once. The cache holds a reference
/// to each object it remembers, and a `str` never changes, so the same object means the same text.
pub struct Writer<'py> {
    py: Python<'py>,
    decimal: Bound<'py, PyType>,
    out: String,
    cache: Vec<(Bound<'py, PyString>, Rc<str>)>,
    subject: Subject,
}

/// Converts a Python command dict into the JSON text the core parses.
pub fn to_json(command: &Bound<'_, PyAny>) -> Result<String, Refusal> {
    Writer::new(command.py())?.write_command(command)
}

/// A method's options (a dict, or `None` for none) as the JSON value the core takes, by the
/// rules of command fields; the keys in `timestamps` are written as `recorded_at` is (a
/// timezone-aware `datetime` or a string). A refusal is `INVALID_ARGUMENT` named after the
/// option (`as_of`), or `name` for the whole.
pub fn arguments(
    py: Python<'_>,
    name: &'static str,
    options: Option<&Bound<'_, PyAny>>,
    timestamps: &[&str],
) -> PyResult<serde_json::Value> {
    let Some(options) = options.filter(|o| !o.is_none()) else {
        return Ok(serde_json::Value::Null);
    };
    let mut writer = Writer::new(py)?;
    writer.subject = Subject::Argument(name);
    let text = writer.arguments(options, timestamps).map_err(|r| r.into_pyerr(py, None))?;
    serde_json::from_str(&text).map_err(|e| {
        errors::to_pyerr(py, &LedgerError::Internal { message: format!("{name} written as invalid JSON: {e}") }, None)
    })
}

/// A method's argument of the wrong Python type, as `funding_window.ArgumentTypeError`.
pub fn argument_type_error(py: Python<'_>, name: &str, value: &Bound<'_, PyAny>, expected: &str) -> PyErr {
    let error = LedgerError::InvalidArgument {
        name: name.to_owned(),
        value: type_name(value),
        reason: format!("expected {expected}, not {}", type_name(value)),
    };
    errors::to_type_error(py, &error, None)
}

/// The exception (not raised) for a method argument that the package's Python code refuses
/// (`funding_window.ledger`, `funding_window.reports`): the core's `INVALID_ARGUMENT` with
/// `name`, `value` and `reason`, as `ArgumentTypeError` when `type_error` (the argument's
/// Python type is wrong), else `InvalidArgument`. Made here so that the message is the core's.
#[pyfunction]
#[pyo3(signature = (name, value, reason, type_error = false))]
pub fn argument_error(py: Python<'_>, name: &str, value: &str, reason: &str, type_error: bool) -> Py<PyAny> {
    let error =
        LedgerError::InvalidArgument { name: name.to_owned(), value: value.to_owned(), reason: reason.to_owned() };
    let err = if type_error { errors::to_type_error(py, &error, None) } else { errors::to_pyerr(py, &error, None) };
    err.into_value(py).into_any()
}

/// The JSON text of the contract that the binding hands to the core for a command dict
/// (a `str` is returned as it is: it is already JSON text).
///
/// Raises `TypeError` for values with no place in the contract (a `float`, a `bool` where
/// money belongs, a `datetime` where a date belongs, ...).
#[pyfunction]
pub fn command_to_json(py: Python<'_>, command: &Bound<'_, PyAny>) -> PyResult<String> {
    to_json(command).map_err(|r| r.into_pyerr(py, None))
}

impl<'py> Writer<'py> {
    /// A writer for the commands of one call.
    pub fn new(py: Python<'py>) -> PyResult<Self> {
        Ok(Writer {
            py,
            decimal: decimal_type(py)?.clone(),
            out: String::new(),
            cache: Vec::new(),
            subject: Subject::Command,
        })
    }

    /// Where `path` is, for messages and argument names.
    fn at(&self, path: &Path<'_>) -> String {
        let mut out = String::new();
        match self.subject {
            Subject::Command => path.write(&mut out, "command"),
            Subject::Argument(name) => path.write(&mut out, name),
        }
        out
    }

    /// What is being written, for messages.
    fn whole(&self) -> &'static str {
        match self.subject {
            Subject::Command => "a command",
            Subject::Argument(_) => "a method's options",
        }
    }

    /// `value` (at `path`) has a Python type with no place there.
    fn refuse_type(&self, path: &Path<'_>, value: &Bound<'py, PyAny>, reason: &str) -> Refusal {
        let at = self.at(path);
        Refusal::Type(match self.subject {
            Subject::Command if matches!(path, Path::Root) => {
                LedgerError::InvalidCommand { message: reason.to_owned() }
            }
            Subject::Command => LedgerError::InvalidCommand { message: format!("{at}: {reason}") },
            Subject::Argument(_) => {
                LedgerError::InvalidArgument { name: at, value: type_name(value), reason: reason.to_owned() }
            }
        })
    }

    /// `value` (at `path`) is one the core would refuse (nested too deep, an integer out of range).
    fn refuse_value(&self, path: &Path<'_>, value: String, reason: &str) -> Refusal {
        Refusal::Core(self.invalid(path, value, reason))
    }

    /// The core's error for a bad value at `path`: `INVALID_COMMAND` or `INVALID_ARGUMENT`.
    fn invalid(&self, path: &Path<'_>, value: String, reason: &str) -> LedgerError {
        let at = self.at(path);
        match self.subject {
            Subject::Command => LedgerError::InvalidCommand { message: format!("{at}: {reason}") },
            Subject::Argument(_) => LedgerError::InvalidArgument { name: at, value, reason: reason.to_owned() },
        }
    }

    /// Turns an exception raised by the value at `path` while it was read into the core's
    /// error naming the place (the exception becomes its `__cause__`).
    fn raised<'a>(&'a self, path: &'a Path<'a>) -> impl FnOnce(PyErr) -> Refusal + 'a {
        move |error: PyErr| {
            let kind = error.get_type(self.py).name().map(|n| n.to_string()).unwrap_or_else(|_| "an exception".into());
            let reason = format!("reading it raised {kind}: {}", error.value(self.py));
            let core = self.invalid(path, kind, &reason);
            Refusal::Raised(Box::new((error, core)))
        }
    }

    /// The text of a `str` object, refusing one with a lone surrogate (not valid Unicode).
    fn text<'s>(&self, s: &'s Bound<'py, PyString>, path: &Path<'_>) -> Result<Cow<'s, str>, Refusal> {
        s.to_cow().map_err(|_| {
            self.refuse_value(
                path,
                "a str with a lone surrogate".to_owned(),
                "a str with a lone surrogate (U+D800 to U+DFFF) is not valid Unicode text",
            )
        })
    }

    /// A private copy of a dict (nothing a value's methods do can change what is iterated).
    fn copy(&self, dict: &Bound<'py, PyDict>, path: &Path<'_>) -> Result<Bound<'py, PyDict>, Refusal> {
        dict.copy().map_err(self.raised(path))
    }

    /// An options object: a dict whose values follow the rules of plain command fields.
    fn arguments(&mut self, options: &Bound<'py, PyAny>, timestamps: &[&str]) -> Result<String, Refusal> {
        let Ok(dict) = options.cast::<PyDict>() else {
            return Err(self.refuse_type(&Path::Root, options, "expected a dict of options"));
        };
        let dict = self.copy(dict, &Path::Root)?;
        self.out = String::with_capacity(128);
        self.out.push('{');
        for (i, (key, value)) in dict.iter().enumerate() {
            let key = self.key(&key, &Path::Root)?;
            if i > 0 {
                self.out.push(',');
            }
            self.string(&key);
            self.out.push(':');
            let path = Path::Key(&Path::Root, &key);
            if timestamps.contains(&&*key) {
                self.recorded_at(&value, &path)?;
            } else {
                self.plain(&value, &path, 1)?;
            }
        }
        self.out.push('}');
        Ok(std::mem::take(&mut self.out))
    }

    /// The JSON text of one command: a dict converted, or a `str` taken as JSON text of the
    /// contract (parsed by the core, exactly as the Rust API parses it).
    pub fn write_command(&mut self, command: &Bound<'py, PyAny>) -> Result<String, Refusal> {
        if let Ok(text) = command.cast::<PyString>() {
            return Ok(self.text(text, &Path::Root)?.into_owned());
        }
        self.out = String::with_capacity(256);
        self.command(command)?;
        Ok(std::mem::take(&mut self.out))
    }

    /// The index in the cache of a `str` object, converted once per distinct object while the
    /// cache has room (`None` when it is full).
    fn cached(&mut self, s: &Bound<'py, PyString>, path: &Path<'_>) -> Result<Option<usize>, Refusal> {
        if let Some(i) = self.cache.iter().position(|(o, _)| o.is(s)) {
            return Ok(Some(i));
        }
        if self.cache.len() == STRING_CACHE_MAX {
            return Ok(None);
        }
        let text: Rc<str> = Rc::from(self.text(s, path)?.as_ref());
        self.cache.push((s.clone(), text));
        Ok(Some(self.cache.len() - 1))
    }

    fn command(&mut self, command: &Bound<'py, PyAny>) -> Result<(), Refusal> {
        let Ok(dict) = command.cast::<PyDict>() else {
            return Err(self.refuse_type(
                &Path::Root,
                command,
                &format!("a command is a dict (or JSON text), not {}", type_name(command)),
            ));
        };
        let dict = self.copy(dict, &Path::Root)?;
        self.out.push('{');
        for (i, (key, value)) in dict.iter().enumerate() {
            let key = self.key(&key, &Path::Root)?;
            if i > 0 {
                self.out.push(',');
            }
            self.string(&key);
            self.out.push(':');
            let path = Path::Key(&Path::Root, &key);
            match field_kind(&key) {
                Field::Type => match value.cast::<PyString>() {
                    Ok(s) => self.recurring_string(s, &path)?,
                    Err(_) => self.plain(&value, &path, 1)?,
                },
                Field::Money => self.money(&value, &path)?,
                Field::MoneyTable => self.money_table(&value, &path)?,
                Field::RecordedAt => self.recorded_at(&value, &path)?,
                Field::Plain => self.plain(&value, &path, 1)?,
            }
        }
        self.out.push('}');
        Ok(())
    }

    /// A key of the dict at `path` (which names the key in messages).
    fn key(&mut self, key: &Bound<'py, PyAny>, path: &Path<'_>) -> Result<Rc<str>, Refusal> {
        match key.cast::<PyString>() {
            Ok(s) => match self.cached(s, path)? {
                Some(i) => Ok(Rc::clone(&self.cache[i].1)),
                None => Ok(Rc::from(self.text(s, path)?.as_ref())),
            },
            Err(_) => Err(self.refuse_type(path, key, &format!("keys are str, not {}", type_name(key)))),
        }
    }

    /// Writes a `str` object as a JSON string.
    fn py_string(&mut self, s: &Bound<'py, PyString>, path: &Path<'_>) -> Result<(), Refusal> {
        let text = self.text(s, path)?;
        write_json_string(&mut self.out, &text);
        Ok(())
    }

    /// Writes a `str` object that recurs across commands (the command type) as a JSON string.
    fn recurring_string(&mut self, s: &Bound<'py, PyString>, path: &Path<'_>) -> Result<(), Refusal> {
        match self.cached(s, path)? {
            Some(i) => write_json_string(&mut self.out, &self.cache[i].1),
            None => self.py_string(s, path)?,
        }
        Ok(())
    }

    fn string(&mut self, text: &str) {
        write_json_string(&mut self.out, text);
    }

    fn money(&mut self, value: &Bound<'py, PyAny>, path: &Path<'_>) -> Result<(), Refusal> {
        if value.is_none() {
            self.out.push_str("null");
        } else if value.is_instance_of::<PyBool>() {
            return Err(self.refuse_type(
                path,
                value,
                "a bool is not money; give a decimal.Decimal, an int or a decimal string",
            ));
        } else if value.is_instance_of::<PyInt>() {
            let text = int_text(value).map_err(self.raised(path))?;
            self.string(&text);
        } else if value.is_instance(&self.decimal).map_err(self.raised(path))? {
            let text = decimal_text(&self.decimal, value).map_err(self.raised(path))?;
            self.string(&text);
        } else if let Ok(s) = value.cast::<PyString>() {
            self.py_string(s, path)?;
        } else if value.is_instance_of::<PyFloat>() {
            return Err(self.refuse_type(
                path,
                value,
                "a float is not exact money; give a decimal.Decimal, an int or a decimal string such as \"1250.00\"",
            ));
        } else {
            return Err(self.refuse_type(
                path,
                value,
                &format!("money is a decimal.Decimal, an int or a decimal string, not {}", type_name(value)),
            ));
        }
        Ok(())
    }

    fn money_table(&mut self, value: &Bound<'py, PyAny>, path: &Path<'_>) -> Result<(), Refusal> {
        let Ok(dict) = value.cast::<PyDict>() else {
            // Not a table: the core says what it expected.
            return self.plain(value, path, 1);
        };
        let dict = self.copy(dict, path)?;
        self.out.push('{');
        for (i, (key, amount)) in dict.iter().enumerate() {
            let key = self.key(&key, path)?;
            if i > 0 {
                self.out.push(',');
            }
            self.string(&key);
            self.out.push(':');
            self.money(&amount, &Path::Key(path, &key))?;
        }
        self.out.push('}');
        Ok(())
    }

    fn recorded_at(&mut self, value: &Bound<'py, PyAny>, path: &Path<'_>) -> Result<(), Refusal> {
        if value.is_instance_of::<PyDateTime>() {
            let offset = value.call_method0(intern!(self.py, "utcoffset")).map_err(self.raised(path))?;
            if offset.is_none() {
                return Err(self.refuse_type(
                    path,
                    value,
                    "a naive datetime has no time zone; give a timezone-aware datetime or an RFC 3339 string",
                ));
            }
            let text = value
                .call_method0(intern!(self.py, "isoformat"))
                .and_then(|t| t.extract::<String>())
                .map_err(self.raised(path))?;
            self.string(&text);
            return Ok(());
        }
        if value.is_instance_of::<PyDate>() {
            return Err(self.refuse_type(
                path,
                value,
                "a timestamp is a timezone-aware datetime or an RFC 3339 string, not a date",
            ));
        }
        self.plain(value, path, 1)
    }

    fn plain(&mut self, value: &Bound<'py, PyAny>, path: &Path<'_>, depth: usize) -> Result<(), Refusal> {
        if depth > COMMAND_DEPTH_MAX {
            let reason = format!("nested deeper than {COMMAND_DEPTH_MAX} levels");
            return Err(self.refuse_value(path, type_name(value), &reason));
        }
        if value.is_none() {
            self.out.push_str("null");
        } else if let Ok(b) = value.cast::<PyBool>() {
            self.out.push_str(if b.is_true() { "true" } else { "false" });
        } else if value.is_instance_of::<PyInt>() {
            self.integer(value, path)?;
        } else if let Ok(s) = value.cast::<PyString>() {
            self.py_string(s, path)?;
        } else if value.is_instance_of::<PyFloat>() {
            let reason = match self.subject {
                Subject::Command => {
                    "floats are not accepted anywhere in a command (money is a decimal.Decimal, an int or a decimal string)"
                }
                Subject::Argument(_) => "floats are not accepted in a method's options",
            };
            return Err(self.refuse_type(path, value, reason));
        } else if value.is_instance_of::<PyDateTime>() {
            return Err(self.refuse_type(
                path,
                value,
                "a datetime.datetime where a date belongs; give a datetime.date or \"YYYY-MM-DD\"",
            ));
        } else if let Ok(date) = value.cast::<PyDate>() {
            if !path.names_a_date() {
                let reason =
                    format!("a datetime.date where no date belongs (dates go in {}); give a str", DATE_KEYS.join(", "));
                return Err(self.refuse_type(path, value, &reason));
            }
            // The date's fields, not its isoformat(): a subclass does not get to choose its text.
            let text = format!("{:04}-{:02}-{:02}", date.get_year(), date.get_month(), date.get_day());
            self.string(&text);
        } else if value.is_instance(&self.decimal).map_err(self.raised(path))? {
            let reason = format!(
                "a decimal.Decimal outside a money field (money fields: {}; tables: {})",
                DECIMAL_FIELDS.join(", "),
                DECIMAL_TABLE_FIELDS.join(", ")
            );
            return Err(self.refuse_type(path, value, &reason));
        } else if let Ok(dict) = value.cast::<PyDict>() {
            let dict = self.copy(dict, path)?;
            self.out.push('{');
            for (i, (key, inner)) in dict.iter().enumerate() {
                let key = self.key(&key, path)?;
                if i > 0 {
                    self.out.push(',');
                }
                self.string(&key);
                self.out.push(':');
                self.plain(&inner, &Path::Key(path, &key), depth + 1)?;
            }
            self.out.push('}');
        } else if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
            // A snapshot: nothing can change the sequence while it is written.
            let items =
                value.try_iter().and_then(|items| items.collect::<PyResult<Vec<_>>>()).map_err(self.raised(path))?;
            self.out.push('[');
            for (i, inner) in items.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                self.plain(inner, &Path::Index(path, i), depth + 1)?;
            }
            self.out.push(']');
        } else {
            let reason = format!("{} has no place in {}", type_name(value), self.whole());
            return Err(self.refuse_type(path, value, &reason));
        }
        Ok(())
    }

    /// An integer outside money (an entry number): a JSON number if it fits 64 bits.
    fn integer(&mut self, value: &Bound<'py, PyAny>, path: &Path<'_>) -> Result<(), Refusal> {
        if let Ok(n) = value.extract::<i64>() {
            let _ = write!(self.out, "{n}");
        } else if let Ok(n) = value.extract::<u64>() {
            let _ = write!(self.out, "{n}");
        } else {
            let text = int_text(value).map_err(self.raised(path))?;
            return Err(self.refuse_value(path, text.clone(), &format!("integer {text} is out of range")));
        }
        Ok(())
    }
}

/// An `int` as decimal text. Past Python's limit on decimal conversion (4300 digits) the
/// text is hexadecimal, which the core refuses as it refuses any amount that large.
fn int_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    let py = value.py();
    let int_type = py.get_type::<PyInt>();
    // int.__str__, not str(), for a subclass (an IntEnum): it does not get to choose its text.
    let text = if value.get_type().is(&int_type) {
        value.str().map(|s| s.into_any())
    } else {
        int_type.call_method1(intern!(py, "__str__"), (value,))
    };
    match text {
        Ok(text) => text.extract(),
        Err(_) => {
            let hex: String = int_type.call_method1(intern!(py, "__format__"), (value, "x"))?.extract()?;
            Ok(format!("0x{hex}"))
        }
    }
}

/// A `decimal.Decimal` as plain decimal text (`format(d, "f")`), without an exponent.
///
/// `NaN`, `sNaN` and `Infinity` keep their names, and a huge exponent is left as written:
/// the core refuses all of them with its own error.
fn decimal_text(decimal: &Bound<'_, PyType>, value: &Bound<'_, PyAny>) -> PyResult<String> {
    let py = value.py();
    // Decimal.__str__, not str(), for a subclass: it does not get to choose its text.
    let text: String = if value.get_type().is(decimal) {
        value.str()?.to_cow()?.into_owned()
    } else {
        decimal.call_method1(intern!(py, "__str__"), (value,))?.extract()?
    };
    let Some(at) = text.find(['E', 'e']) else {
        return Ok(text);
    };
    let exponent: Option<i64> = text[at + 1..].parse().ok();
    match exponent {
        Some(e) if e.abs() <= DECIMAL_EXPONENT_WRITTEN_MAX => {
            decimal.call_method1(intern!(py, "__format__"), (value, "f"))?.extract()
        }
        _ => Ok(text),
    }
}

/// Appends `text` as a JSON string literal (the escapes of RFC 8259).
fn write_json_string(out: &mut String, text: &str) {
    out.push('"');
    if !text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(text);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1f => "",
            _ => continue,
        };
        // `i` is the position of an ASCII byte: a character boundary.
        out.push_str(&text[start..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

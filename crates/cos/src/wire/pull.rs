//! A pull decoder over `quick_xml::Reader` for the COS configuration documents: one pass,
//! names compared as borrowed text, text allocated only for the values kept.
//!
//! It reads what quick-xml's serde path read (the same wire structs fill up): repeated
//! elements may interleave with others, unknown elements are skipped, text is kept as sent, and
//! entity and character references are resolved. The document's root is checked by
//! [`decode`] keeps the root check of [`super::check_root`] in the same pass.

use std::borrow::Cow;

use bucket_admin_core::{Error, ErrorKind};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// A wire struct that can be filled element by element.
pub(crate) trait FromPull: Default {
    /// Reads child element `name` (whose start has just been read) into `self`; returns
    /// `false`, without reading, for an element the struct does not have.
    fn field(&mut self, name: &str, p: &mut Pull<'_>, empty: bool) -> Result<bool, Error>;
}

/// The reader, and what the document is (for errors).
pub(crate) struct Pull<'a> {
    reader: Reader<&'a [u8]>,
    what: &'a str,
}

impl<'a> Pull<'a> {
    fn new(body: &'a str, what: &'a str) -> Self {
        Self {
            reader: Reader::from_str(body),
            what,
        }
    }

    fn fail(&self, why: impl std::fmt::Display) -> Error {
        Error::new(
            ErrorKind::Decode,
            format!("cannot parse the {} XML returned by COS: {why}", self.what),
        )
    }

    fn event(&mut self) -> Result<Event<'a>, Error> {
        self.reader.read_event().map_err(|e| {
            Error::new(
                ErrorKind::Decode,
                format!("cannot parse the {} XML returned by COS: {e}", self.what),
            )
        })
    }

    /// Fills `T` from the children of the element just started (`empty`: it was `<X/>`).
    pub(crate) fn read<T: FromPull>(&mut self, empty: bool) -> Result<T, Error> {
        let mut value = T::default();
        if empty {
            return Ok(value);
        }
        loop {
            match self.event()? {
                Event::Start(e) => {
                    let known = value.field(e.name().as_ref(), self, false)?;
                    if !known {
                        self.skip(&e)?;
                    }
                }
                Event::Empty(e) => {
                    // Nothing to skip after an empty unknown element.
                    value.field(e.name().as_ref(), self, true)?;
                }
                Event::End(_) => return Ok(value),
                Event::Eof => return Err(self.fail("the document ends inside an element")),
                // Text between child elements (indentation) carries nothing.
                _ => {}
            }
        }
    }

    /// The text of the element just started, up to its end.
    pub(crate) fn text(&mut self, empty: bool) -> Result<String, Error> {
        if empty {
            return Ok(String::new());
        }
        let mut out: Cow<'a, str> = Cow::Borrowed("");
        loop {
            match self.event()? {
                Event::Text(t) => append(&mut out, t.xml10_content()),
                Event::CData(t) => append(&mut out, t.xml10_content()),
                Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => {
                            let name = r.xml10_content();
                            match quick_xml::escape::resolve_predefined_entity(&name) {
                                Some(s) => s.to_owned(),
                                None => {
                                    return Err(self.fail(format!("unknown entity `&{name};`")));
                                }
                            }
                        }
                        Err(e) => return Err(self.fail(e)),
                    };
                    out.to_mut().push_str(&resolved);
                }
                Event::End(_) => break,
                Event::Start(e) | Event::Empty(e) => {
                    let name = e.name().as_ref().to_owned();
                    return Err(self.fail(format!("element <{name}> where text was expected")));
                }
                Event::Eof => return Err(self.fail("the document ends inside an element")),
                _ => {}
            }
        }
        // Kept as sent, as the serde path kept it: the model's own checks (a method name, a
        // number of seconds) trim where spaces cannot matter.
        Ok(out.into_owned())
    }

    /// Skips the rest of the element `start`.
    fn skip(&mut self, start: &BytesStart<'_>) -> Result<(), Error> {
        self.reader
            .read_to_end(start.name())
            .map(drop)
            .map_err(|e| self.fail(e))
    }
}

fn append<'a>(out: &mut Cow<'a, str>, more: Cow<'a, str>) {
    if out.is_empty() {
        *out = more;
    } else {
        out.to_mut().push_str(&more);
    }
}

/// Parses a document whose root must be `root` into `T`, in one pass.
///
/// Whatever [`super::check_root`] refuses (another root, content around it, a truncated or
/// malformed document) fails here too; the error then comes from `check_root`, so that it
/// reads the same as before this decoder existed ("not a <X> document: ...").
pub(crate) fn decode<T: FromPull>(body: &str, root: &str, what: &str) -> Result<T, Error> {
    let body = body.strip_prefix('\u{feff}').unwrap_or(body);
    match one_pass(body, root, what) {
        Ok(value) => Ok(value),
        Err(e) => {
            super::check_root(body, root, what)?;
            Err(e)
        }
    }
}

fn one_pass<T: FromPull>(body: &str, root: &str, what: &str) -> Result<T, Error> {
    let mut p = Pull::new(body, what);
    let blank = |t: &quick_xml::events::BytesText<'_>| {
        let text: &str = t.as_ref();
        text.trim().is_empty()
    };
    let value = loop {
        match p.event()? {
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Text(t) if blank(&t) => {}
            Event::Start(e) if e.name().as_ref() == root => break p.read(false)?,
            Event::Empty(e) if e.name().as_ref() == root => break p.read(true)?,
            _ => return Err(p.fail("not the document asked for")),
        }
    };
    loop {
        match p.event()? {
            Event::Eof => return Ok(value),
            Event::Comment(_) | Event::PI(_) => {}
            Event::Text(t) if blank(&t) => {}
            _ => return Err(p.fail("content after the root element")),
        }
    }
}

/// Sets a single-valued field once: a second occurrence is an error (as in the serde path),
/// never a silent overwrite.
pub(crate) fn once<T>(slot: &mut Option<T>, name: &str, value: T) -> Result<(), Error> {
    if slot.is_some() {
        return Err(Error::new(
            ErrorKind::Decode,
            format!("cannot parse the XML returned by COS: duplicate field `{name}`"),
        ));
    }
    *slot = Some(value);
    Ok(())
}

/// Writes `<name>text</name>` with `<`, `>` and `&` escaped (what quick-xml's serializer
/// escapes by default, so bodies stay byte-identical).
pub(crate) fn element(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    out.push_str(&quick_xml::escape::partial_escape(text));
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

//! A pull decoder for the COS configuration documents: one pass, names compared as borrowed
//! text, text allocated only for the values kept.
//!
//! It reads what quick-xml's serde path read (the same wire structs fill up): repeated
//! elements may interleave with others, unknown elements are skipped, text is kept as sent, and
//! entity and character references are resolved. [`decode`] keeps the root check of
//! [`super::check_root`] in the same pass.
//!
//! Two tokenizers feed the same wire structs. What COS sends is plain XML: a declaration,
//! elements (attributes ignored), text without references. [`Plain`] reads exactly that subset
//! and nothing else; quick-xml, which handles every construct (and revalidates the UTF-8 of
//! every event), alone cost more than the whole decode budget of issue 16. At the first thing
//! outside the subset (a reference, CDATA, a comment, a carriage return, a mismatched or
//! missing end tag, any error) the plain pass gives up and quick-xml reads the document again
//! and decides: every answer and every error is quick-xml's. A property test checks that the
//! plain pass never accepts a document that quick-xml reads differently or refuses.

use std::borrow::Cow;

use bucket_admin_core::{Error, ErrorKind};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// A wire struct that can be filled element by element.
///
/// `'doc` is the document's lifetime: a struct may keep the text it reads borrowed from the
/// document (a `Cow<'doc, str>`) when it only parses it later.
pub(crate) trait FromPull<'doc>: Default {
    /// Reads child element `name` (whose start has just been read) into `self`; returns
    /// `false`, without reading, for an element the struct does not have.
    ///
    /// `name` is the element's name as bytes: comparing it needs no UTF-8 boundary checks.
    fn field(&mut self, name: &[u8], p: &mut impl Pull<'doc>, empty: bool) -> Result<bool, Error>;
}

/// What a [`FromPull`] reads its children with: one implementation per tokenizer.
pub(crate) trait Pull<'doc> {
    /// Fills `T` from the children of the element just started (`empty`: it was `<X/>`).
    fn read<T: FromPull<'doc>>(&mut self, empty: bool) -> Result<T, Error> {
        let mut value = T::default();
        self.read_into(&mut value, empty)?;
        Ok(value)
    }

    /// [`Pull::read`] into a value the caller holds: a large struct (a lifecycle rule) is
    /// then filled in place instead of being moved out on return.
    fn read_into<T: FromPull<'doc>>(&mut self, value: &mut T, empty: bool) -> Result<(), Error>;

    /// The text of the element just started, up to its end, borrowed from the document
    /// where it can be (always, unless a reference had to be resolved).
    fn value(&mut self, empty: bool) -> Result<Cow<'doc, str>, Error>;

    /// The text of the element just started, owned.
    fn text(&mut self, empty: bool) -> Result<String, Error> {
        self.value(empty).map(Cow::into_owned)
    }
}

/// Parses a document whose root must be `root` into `T`, in one pass.
///
/// Whatever [`super::check_root`] refuses (another root, content around it, a truncated or
/// malformed document) fails here too; the error then comes from `check_root`, so that it
/// reads the same as before this decoder existed ("not a <X> document: ...").
pub(crate) fn decode<'doc, T: FromPull<'doc>>(
    body: &'doc str,
    root: &'doc str,
    what: &'doc str,
) -> Result<T, Error> {
    let body = body.strip_prefix('\u{feff}').unwrap_or(body);
    if let Some(value) = Plain::document(body, root) {
        return Ok(value);
    }
    full_decode(body, root, what)
}

/// [`decode`] with quick-xml alone (what the plain pass falls back to).
fn full_decode<'doc, T: FromPull<'doc>>(
    body: &'doc str,
    root: &str,
    what: &'doc str,
) -> Result<T, Error> {
    match Full::new(body, what).document(root) {
        Ok(value) => Ok(value),
        Err(e) => {
            super::check_root(body, root, what)?;
            Err(e)
        }
    }
}

/// quick-xml's reader, and what the document is (for errors).
struct Full<'a> {
    reader: Reader<&'a [u8]>,
    what: &'a str,
}

impl<'a> Full<'a> {
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
        self.reader.read_event().map_err(|e| self.fail(e))
    }

    /// Skips the rest of the element `start`.
    fn skip(&mut self, start: &BytesStart<'_>) -> Result<(), Error> {
        self.reader
            .read_to_end(start.name())
            .map(drop)
            .map_err(|e| self.fail(e))
    }

    fn document<T: FromPull<'a>>(&mut self, root: &str) -> Result<T, Error> {
        let blank = |t: &quick_xml::events::BytesText<'_>| {
            let text: &str = t.as_ref();
            text.trim().is_empty()
        };
        let value = loop {
            match self.event()? {
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
                Event::Text(t) if blank(&t) => {}
                Event::Start(e) if e.name().as_ref() == root => break self.read(false)?,
                Event::Empty(e) if e.name().as_ref() == root => break self.read(true)?,
                _ => return Err(self.fail("not the document asked for")),
            }
        };
        loop {
            match self.event()? {
                Event::Eof => return Ok(value),
                Event::Comment(_) | Event::PI(_) => {}
                Event::Text(t) if blank(&t) => {}
                _ => return Err(self.fail("content after the root element")),
            }
        }
    }
}

impl<'a> Pull<'a> for Full<'a> {
    fn read_into<T: FromPull<'a>>(&mut self, value: &mut T, empty: bool) -> Result<(), Error> {
        if empty {
            return Ok(());
        }
        loop {
            match self.event()? {
                Event::Start(e) => {
                    let known = value.field(e.name().as_ref().as_bytes(), self, false)?;
                    if !known {
                        self.skip(&e)?;
                    }
                }
                Event::Empty(e) => {
                    // Nothing to skip after an empty unknown element.
                    value.field(e.name().as_ref().as_bytes(), self, true)?;
                }
                Event::End(_) => return Ok(()),
                Event::Eof => return Err(self.fail("the document ends inside an element")),
                // Text between child elements (indentation) carries nothing.
                _ => {}
            }
        }
    }

    fn value(&mut self, empty: bool) -> Result<Cow<'a, str>, Error> {
        if empty {
            return Ok(Cow::Borrowed(""));
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
        Ok(out)
    }
}

fn append<'a>(out: &mut Cow<'a, str>, more: Cow<'a, str>) {
    if out.is_empty() {
        *out = more;
    } else {
        out.to_mut().push_str(&more);
    }
}

/// The plain-XML tokenizer: a position in the document and the element being read.
///
/// Every method answers `None` ("not plain XML, or not well formed: ask quick-xml") rather
/// than an error of its own; the wire structs' own errors (a duplicate field, a bad number)
/// end the plain pass the same way, and quick-xml's pass reports them.
struct Plain<'a> {
    doc: &'a str,
    at: usize,
    /// The name of the element whose content is being read, for the end-tag check.
    open: &'a [u8],
}

/// A token of the plain subset.
#[derive(Debug, PartialEq)]
enum Token<'a> {
    Start(&'a [u8]),
    Empty(&'a [u8]),
    End(&'a [u8]),
    /// Text without `&` or a carriage return, which would need resolving or normalizing.
    Text(&'a str),
    /// `<?xml ...?>`, allowed before the root only.
    Declaration,
    /// Another `<?...?>`, allowed around the root.
    Instruction,
    Eof,
}

/// A table of the bytes in `set`: one lookup per byte where a chain of comparisons was the
/// tokenizer's largest cost (issue 16).
const fn byte_set(set: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < set.len() {
        table[set[i] as usize] = true;
        i += 1;
    }
    table
}

/// What ends an element name: `>`, XML whitespace, `/`, and the quotes the plain pass does not
/// read in a name.
const ENDS_NAME: [bool; 256] = byte_set(b"> \t\n\r/\"'");

/// What ends plain text: the next tag, or what the plain pass leaves to quick-xml (a
/// reference, a carriage return).
const ENDS_TEXT: [bool; 256] = byte_set(b"<&\r");

/// Where the element name that starts at `from` ends: at the first byte of [`ENDS_NAME`].
fn end_of_name(bytes: &[u8], from: usize) -> Option<usize> {
    // Every byte that ends a name is below 0x40, and a letter is not: eight bytes at a time
    // while none is below it, then byte by byte (a digit or a `-` in a name goes on there).
    let mut at = from;
    while let Some(chunk) = bytes.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        let flags = flag_below(u64::from_le_bytes(*chunk), 0x40);
        if flags != 0 {
            at += flags.trailing_zeros() as usize / 8;
            break;
        }
        at += 8;
    }
    let rest = bytes.get(at..)?;
    rest.iter()
        .position(|&b| ENDS_NAME[usize::from(b)])
        .map(|i| at + i)
}

/// One in each byte of a word.
const ONES: u64 = u64::from_ne_bytes([1; 8]);

/// The bytes of `word` below `limit` (at most 0x80), each flagged by its high bit. Only the
/// lowest flag is exact (a borrow out of a flagged byte can flag the one above it), and it is
/// all the callers read: with `from_le_bytes`, the lowest byte is the first in the document.
const fn flag_below(word: u64, limit: u8) -> u64 {
    word.wrapping_sub(ONES * limit as u64) & !word & (ONES * 0x80)
}

/// The bytes of `word` equal to `byte`, flagged as [`flag_below`] flags them.
const fn flag_equal(word: u64, byte: u8) -> u64 {
    flag_below(word ^ (ONES * byte as u64), 1)
}

/// XML's whitespace, as quick-xml trims names with it.
fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\r' | b'\n' | b'\t')
}

/// The error a plain pass ends with; never shown, quick-xml's pass replaces it.
fn not_plain() -> Error {
    Error::new(ErrorKind::Decode, "not plain XML")
}

impl<'a> Plain<'a> {
    /// `T` from the whole document, or `None` when quick-xml must read it.
    fn document<T: FromPull<'a>>(doc: &'a str, root: &'a str) -> Option<T> {
        let mut p = Plain {
            doc,
            at: 0,
            open: root.as_bytes(),
        };
        let value = loop {
            match p.token()? {
                Token::Declaration | Token::Instruction => {}
                Token::Text(t) if t.trim().is_empty() => {}
                Token::Start(name) if name == root.as_bytes() => break p.read(false).ok()?,
                Token::Empty(name) if name == root.as_bytes() => break T::default(),
                _ => return None,
            }
        };
        loop {
            match p.token()? {
                Token::Eof => return Some(value),
                Token::Instruction => {}
                Token::Text(t) if t.trim().is_empty() => {}
                _ => return None,
            }
        }
    }

    fn token(&mut self) -> Option<Token<'a>> {
        let doc = self.doc;
        let bytes = doc.as_bytes();
        let at = self.at;
        let Some(&first) = bytes.get(at) else {
            return Some(Token::Eof);
        };
        // The spans between markup are a few bytes long: a plain loop over them is faster
        // than setting up a vectorised search (measured: that search's share halved).
        if first != b'<' {
            let end = self.text_end()?;
            self.at = end;
            return Some(Token::Text(doc.get(at..end)?));
        }
        match bytes.get(at + 1)? {
            b'/' => {
                let close = at + 2 + bytes.get(at + 2..)?.iter().position(|&b| b == b'>')?;
                self.at = close + 1;
                let mut name_end = close;
                while name_end > at + 2 && is_xml_space(bytes[name_end - 1]) {
                    name_end -= 1;
                }
                Some(Token::End(bytes.get(at + 2..name_end)?))
            }
            b'?' => {
                // Ended, as quick-xml ends it, by the first `?>`, the `?` of `<?` included
                // (so `<?>` is a processing instruction without content: an error there).
                let mut from = at + 1;
                let close = loop {
                    let gt = from + 1 + bytes.get(from + 1..)?.iter().position(|&b| b == b'>')?;
                    if bytes[gt - 1] == b'?' {
                        break gt;
                    }
                    from = gt;
                };
                if close - at < 3 {
                    return None;
                }
                self.at = close + 1;
                let content = &bytes[at + 2..close - 1];
                let declaration =
                    content.starts_with(b"xml") && (content.len() == 3 || is_xml_space(content[3]));
                Some(if declaration {
                    Token::Declaration
                } else {
                    Token::Instruction
                })
            }
            b'!' => None,
            _ => {
                // The name ends at the first space, `/` or `>`; the tag at the first `>`
                // outside a quoted attribute value.
                let name_end = end_of_name(bytes, at + 1)?;
                let close = match bytes[name_end] {
                    // A tag without attributes ends right after its name.
                    b'>' => name_end,
                    b'/' if bytes.get(name_end + 1) == Some(&b'>') => name_end + 1,
                    // A quote in a name would start a quoted span for quick-xml; a `/` inside
                    // a name is quick-xml's to judge.
                    b'"' | b'\'' | b'/' => return None,
                    _ => tag_end(bytes, name_end)?,
                };
                self.at = close + 1;
                if name_end == at + 1 {
                    return None;
                }
                let name = &bytes[at + 1..name_end];
                Some(if bytes[close - 1] == b'/' {
                    Token::Empty(name)
                } else {
                    Token::Start(name)
                })
            }
        }
    }

    /// Where the text at the current position ends (the next `<`, or the end of the
    /// document); `None` if it holds a reference or a carriage return.
    fn text_end(&self) -> Option<usize> {
        let bytes = self.doc.as_bytes();
        // Eight bytes at a time up to the first that may end the text, then byte by byte.
        let mut from = self.at;
        while let Some(chunk) = bytes.get(from..).and_then(<[u8]>::first_chunk::<8>) {
            let word = u64::from_le_bytes(*chunk);
            let flags = flag_equal(word, b'<') | flag_equal(word, b'&') | flag_equal(word, b'\r');
            if flags != 0 {
                from += flags.trailing_zeros() as usize / 8;
                break;
            }
            from += 8;
        }
        let rest = bytes.get(from..)?;
        match rest.iter().position(|&b| ENDS_TEXT[usize::from(b)]) {
            None => Some(self.doc.len()),
            Some(i) if rest[i] == b'<' => Some(from + i),
            Some(_) => None,
        }
    }

    /// Reads `<name>` at the current position when it is there exactly (a name, then `>`: how
    /// COS starts every element), without building a token; anything else (an empty element,
    /// attributes, a space, an end tag, text) is left to [`Self::token`], which reads it the
    /// same way.
    fn start_tag(&mut self) -> Option<&'a [u8]> {
        let bytes = self.doc.as_bytes();
        let at = self.at;
        let first = *bytes.get(at + 1)?;
        if bytes[at] != b'<' || matches!(first, b'/' | b'?' | b'!') || ENDS_NAME[usize::from(first)]
        {
            return None;
        }
        let end = end_of_name(bytes, at + 1)?;
        if bytes[end] != b'>' {
            return None;
        }
        self.at = end + 1;
        Some(&bytes[at + 1..end])
    }

    /// Reads `</name>` at `at` when it is there exactly (how COS ends every element), without
    /// tokenizing it; anything else is left to [`Self::token`].
    fn end_tag(&mut self, at: usize, name: &[u8]) -> bool {
        let bytes = self.doc.as_bytes();
        let close = at + 2 + name.len();
        let exact = bytes.get(at..at + 2) == Some(b"</")
            && bytes.get(close) == Some(&b'>')
            && bytes.get(at + 2..close) == Some(name);
        if exact {
            self.at = close + 1;
        }
        exact
    }

    /// Skips the rest of the element `name`, whose start has just been read.
    fn skip(&mut self, name: &'a [u8]) -> Option<()> {
        let mut open = vec![name];
        while let Some(&current) = open.last() {
            match self.token()? {
                Token::Start(inner) => open.push(inner),
                Token::End(end) if end == current => {
                    open.pop();
                }
                Token::Empty(_) | Token::Text(_) => {}
                _ => return None,
            }
        }
        Some(())
    }
}

/// The index of the `>` ending the tag whose content goes on at `from`, skipping quoted
/// attribute values as quick-xml does.
fn tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, &b) in bytes.get(from..)?.iter().enumerate() {
        match (quote, b) {
            (None, b'>') => return Some(from + i),
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            _ => {}
        }
    }
    None
}

impl<'a> Pull<'a> for Plain<'a> {
    fn read_into<T: FromPull<'a>>(&mut self, value: &mut T, empty: bool) -> Result<(), Error> {
        if empty {
            return Ok(());
        }
        let parent = self.open;
        loop {
            // COS indents its answers: the blanks between child elements are stepped over here
            // (they carry nothing) rather than read as a text token and dropped.
            let bytes = self.doc.as_bytes();
            while let Some(b' ' | b'\t' | b'\n') = bytes.get(self.at) {
                self.at += 1;
            }
            if self.end_tag(self.at, parent) {
                return Ok(());
            }
            let (name, empty) = match self.start_tag() {
                Some(name) => (name, false),
                None => match self.token().ok_or_else(not_plain)? {
                    Token::Start(name) => (name, false),
                    Token::Empty(name) => (name, true),
                    Token::End(name) if name == parent => return Ok(()),
                    // Text between child elements (indentation) carries nothing.
                    Token::Text(_) => continue,
                    _ => return Err(not_plain()),
                },
            };
            self.open = name;
            // Nothing to skip after an empty unknown element.
            if !value.field(name, self, empty)? && !empty {
                self.skip(name).ok_or_else(not_plain)?;
            }
        }
    }

    fn value(&mut self, empty: bool) -> Result<Cow<'a, str>, Error> {
        if empty {
            return Ok(Cow::Borrowed(""));
        }
        let open = self.open;
        // The usual case, `text</open>`, read without tokenizing the end tag.
        let (from, end) = (self.at, self.text_end().ok_or_else(not_plain)?);
        if self.end_tag(end, open) {
            let text = self.doc.get(from..end).ok_or_else(not_plain)?;
            return Ok(Cow::Borrowed(text));
        }
        let text = match self.token().ok_or_else(not_plain)? {
            Token::Text(text) => match self.token().ok_or_else(not_plain)? {
                Token::End(name) if name == open => text,
                _ => return Err(not_plain()),
            },
            Token::End(name) if name == open => "",
            _ => return Err(not_plain()),
        };
        Ok(Cow::Borrowed(text))
    }
}

/// Sets a single-valued field once: a second occurrence is an error (as in the serde path),
/// never a silent overwrite.
pub(crate) fn once<T>(slot: &mut Option<T>, name: &str, value: T) -> Result<(), Error> {
    if slot.is_some() {
        return Err(duplicate(name));
    }
    *slot = Some(value);
    Ok(())
}

/// Reads a child struct that may occur once straight into its slot (a lifecycle rule's
/// filter, expiration...: no struct moved out and in again). A second occurrence is refused
/// before it is read, as serde's derive refuses it on seeing its name.
pub(crate) fn once_read<'doc, T: FromPull<'doc>>(
    slot: &mut Option<T>,
    name: &str,
    p: &mut impl Pull<'doc>,
    empty: bool,
) -> Result<(), Error> {
    if slot.is_some() {
        return Err(duplicate(name));
    }
    p.read_into(slot.insert(T::default()), empty)
}

/// Reads a repeated child struct straight into a new last element of `list`.
pub(crate) fn push_read<'doc, T: FromPull<'doc>>(
    list: &mut Vec<T>,
    p: &mut impl Pull<'doc>,
    empty: bool,
) -> Result<(), Error> {
    let at = list.len();
    list.push(T::default());
    p.read_into(&mut list[at], empty)
}

fn duplicate(name: &str) -> Error {
    Error::new(
        ErrorKind::Decode,
        format!("cannot parse the XML returned by COS: duplicate field `{name}`"),
    )
}

/// Writes `<name>text</name>` with `<`, `>`, `&` and a carriage return escaped (what
/// quick-xml's serializer escapes by default, so bodies stay byte-identical).
// Inlined so that the name, a literal at every call, is copied as a constant (no `memcpy`
// call per tag: they were most of the encoding's cost).
#[inline]
pub(crate) fn element(out: &mut String, name: &str, text: &str) {
    out.reserve(2 * name.len() + 5 + text.len());
    out.push('<');
    out.push_str(name);
    out.push('>');
    push_text(out, text);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Appends `text`, escaped as [`element`] escapes it.
fn push_text(out: &mut String, text: &str) {
    if needs_escaping(text) {
        out.push_str(&quick_xml::escape::partial_escape(text));
    } else {
        out.push_str(text);
    }
}

/// Whether `text` holds one of the characters [`quick_xml::escape::partial_escape`] escapes.
/// Values rarely do, and this test is a bit mask per byte where quick-xml's scan (a closure
/// per byte) was 43% of encoding a document.
fn needs_escaping(text: &str) -> bool {
    const ESCAPED: u64 = (1 << b'<') | (1 << b'>') | (1 << b'&') | (1 << b'\r');
    text.bytes().any(|b| b <= b'>' && (ESCAPED >> b) & 1 == 1)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::cors::CorsXml;
    use super::super::lifecycle::LifecycleXml;
    use super::*;

    /// Pieces of COS documents and of everything around them that the plain pass must hand
    /// over to quick-xml: references, CDATA, comments, carriage returns, attributes with
    /// quoted `>` and `/`, processing instructions, stray markup characters.
    const PIECES: &[&str] = &[
        "<CORSConfiguration>",
        "</CORSConfiguration>",
        "<CORSConfiguration/>",
        "<CORSRule>",
        "</CORSRule>",
        "<CORSRule/>",
        "<CORSRule >",
        "</CORSRule >",
        "<ID>",
        "</ID>",
        "<ID/>",
        "<AllowedOrigin>",
        "</AllowedOrigin>",
        "<AllowedMethod>",
        "</AllowedMethod>",
        "<MaxAgeSeconds>",
        "</MaxAgeSeconds>",
        "<ResponseVary>",
        "</ResponseVary>",
        "<Unknown>",
        "</Unknown>",
        "<Unknown/>",
        "<LifecycleConfiguration>",
        "</LifecycleConfiguration>",
        "<Rule>",
        "</Rule>",
        "<Status>",
        "</Status>",
        "<Filter>",
        "</Filter>",
        "<Prefix>",
        "</Prefix>",
        "<Expiration>",
        "</Expiration>",
        "<Days>",
        "</Days>",
        "<Tag>",
        "</Tag>",
        "<Key>",
        "</Key>",
        "<Value>",
        "</Value>",
        "<CORSRule a=\"x>y\">",
        "<ID b='/>'/>",
        "<ID x=/>",
        "<ID/ >",
        "<ID//>",
        "< ID>",
        "<a\"b>",
        "<>",
        "</>",
        "<ID\n/>",
        "<ID\t>",
        "</ID\t>",
        "<?xml version=\"1.0\"?>",
        "<?xml?>",
        "<?pi x?>",
        "<??>",
        "<?xml",
        "<!-- c -->",
        "<![CDATA[GET]]>",
        "<!DOCTYPE x>",
        "&amp;",
        "&#65;",
        "&bogus;",
        "&",
        "\r\n",
        "\r",
        "GET",
        "put",
        "600",
        " 7 ",
        "true",
        "Enabled",
        "https://a.example",
        "*",
        "x-cos-meta-*",
        " ",
        "\n  ",
        "\t",
        "\u{3000}",
        "\u{a0}",
        "é腾",
        "<",
        ">",
        "/",
        "\"",
        "'",
        "]]>",
        "<ID a=\"x>y\">v</ID>",
        "<AllowedOrigin q='/>'>o</AllowedOrigin>",
        "<?>",
    ];

    fn soup() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|p| p.concat())
    }

    /// A document COS could send: every plain piece in a well-formed nesting.
    fn plain_cors() -> impl Strategy<Value = String> {
        let value = prop::sample::select(
            &["GET", "put", "600", "", " x ", "https://*.a.example", "é腾"][..],
        );
        let child = (
            prop::sample::select(
                &[
                    "ID",
                    "AllowedOrigin",
                    "AllowedMethod",
                    "AllowedHeader",
                    "ExposeHeader",
                    "MaxAgeSeconds",
                    "Unknown",
                ][..],
            ),
            value,
        )
            .prop_map(|(name, v)| {
                if v.is_empty() {
                    format!("<{name}/>")
                } else {
                    format!("<{name}>{v}</{name}>")
                }
            });
        let rule = prop::collection::vec(child, 0..8)
            .prop_map(|c| format!("<CORSRule>{}</CORSRule>", c.concat()));
        (any::<bool>(), prop::collection::vec(rule, 0..5), any::<bool>()).prop_map(|(prolog, rules, pretty)| {
            let sep = if pretty { "\n  " } else { "" };
            format!(
                "{}<CORSConfiguration xmlns=\"http://www.qcloud.com/\">{sep}{}{sep}</CORSConfiguration>{sep}",
                if prolog { "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" } else { "" },
                rules.join(sep)
            )
        })
    }

    /// The plain pass either gives up or reads exactly what quick-xml reads.
    fn agrees<'a, T: FromPull<'a> + std::fmt::Debug>(
        doc: &'a str,
        root: &'a str,
    ) -> Result<bool, TestCaseError> {
        let Some(plain) = Plain::document::<T>(doc, root) else {
            return Ok(false);
        };
        match full_decode::<T>(doc, root, "test") {
            Ok(full) => prop_assert_eq!(format!("{plain:?}"), format!("{full:?}"), "{}", doc),
            Err(e) => prop_assert!(
                false,
                "the plain pass read {doc:?}, quick-xml refused it: {e}"
            ),
        }
        Ok(true)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn the_plain_pass_never_reads_what_quick_xml_reads_otherwise(
            doc in soup(), wrap in any::<bool>()
        ) {
            let doc = if wrap { format!("<CORSConfiguration>{doc}</CORSConfiguration>") } else { doc };
            agrees::<CorsXml>(&doc, "CORSConfiguration")?;
            let doc = doc.replace("CORSConfiguration", "LifecycleConfiguration");
            agrees::<LifecycleXml>(&doc, "LifecycleConfiguration")?;
        }

        #[test]
        fn a_plain_document_with_one_piece_inserted_is_read_alike(
            doc in plain_cors(), piece in prop::sample::select(PIECES), at in any::<prop::sample::Index>()
        ) {
            let mut at = at.index(doc.len() + 1);
            while !doc.is_char_boundary(at) {
                at -= 1;
            }
            let doc = format!("{}{piece}{}", &doc[..at], &doc[at..]);
            agrees::<CorsXml>(&doc, "CORSConfiguration")?;
        }

        #[test]
        fn plain_documents_are_read_by_the_plain_pass(doc in plain_cors()) {
            // Handed over only when quick-xml refuses it too (a duplicate `ID`, say).
            if !agrees::<CorsXml>(&doc, "CORSConfiguration")? {
                prop_assert!(full_decode::<CorsXml>(&doc, "CORSConfiguration", "test").is_err(), "{}", doc);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The eight-bytes-at-a-time scans stop exactly where a byte-by-byte loop stops,
        /// wherever the stopping byte falls in a word (the bytes mix names, digits, every byte
        /// that ends a name or a text, and multi-byte characters).
        #[test]
        fn the_word_scans_stop_where_a_byte_loop_stops(
            doc in "[aZ09:._<>&\r\n\t /\"'\u{7f}é€-]{0,40}", from in any::<prop::sample::Index>()
        ) {
            let bytes = doc.as_bytes();
            let from = from.index(bytes.len() + 1);
            let byte_loop = |set: &[bool; 256]| {
                bytes[from..].iter().position(|&b| set[usize::from(b)]).map(|i| from + i)
            };
            prop_assert_eq!(end_of_name(bytes, from), byte_loop(&ENDS_NAME));
            let p = Plain { doc: &doc, at: from, open: b"" };
            let text_end = match byte_loop(&ENDS_TEXT) {
                None => Some(bytes.len()),
                Some(i) if bytes[i] == b'<' => Some(i),
                Some(_) => None,
            };
            prop_assert_eq!(p.text_end(), text_end);
        }

        /// The word flags are exact for the first byte they flag, wherever it sits.
        #[test]
        fn the_word_flags_mark_the_first_byte_they_look_for(
            word in any::<[u8; 8]>(), limit in 1u8..=0x80, byte in any::<u8>()
        ) {
            let first = |hit: &dyn Fn(u8) -> bool| word.iter().position(|&b| hit(b));
            let flagged = |flags: u64| (flags != 0).then(|| flags.trailing_zeros() as usize / 8);
            let w = u64::from_le_bytes(word);
            prop_assert_eq!(flagged(flag_below(w, limit)), first(&|b| b < limit));
            prop_assert_eq!(flagged(flag_equal(w, byte)), first(&|b| b == byte));
            // Only the high bit of a byte is ever set.
            prop_assert_eq!(flag_below(w, limit) & !(ONES * 0x80), 0);
        }

        /// `start_tag` and `end_tag` read a tag only where `token` reads the same one, and
        /// leave the position where `token` leaves it.
        #[test]
        fn the_tag_shortcuts_read_what_token_reads(
            doc in "(<|</|<\\?|<!|>|/>| |a|Rule|ID|9|-|\"|é){0,12}",
            name in prop::sample::select(&["a", "Rule", "ID", "a9", ""][..]),
        ) {
            let mut by_token = Plain { doc: &doc, at: 0, open: b"" };
            let token = by_token.token();
            let mut start = Plain { doc: &doc, at: 0, open: b"" };
            if let Some(read) = start.start_tag() {
                prop_assert_eq!(&token, &Some(Token::Start(read)), "{}", doc);
                prop_assert_eq!(start.at, by_token.at, "{}", doc);
            }
            let mut end = Plain { doc: &doc, at: 0, open: b"" };
            if end.end_tag(0, name.as_bytes()) {
                prop_assert_eq!(&token, &Some(Token::End(name.as_bytes())), "{}", doc);
                prop_assert_eq!(end.at, by_token.at, "{}", doc);
            }
        }
    }

    #[test]
    fn the_tag_shortcuts_read_the_tags_cos_writes() {
        // Where the shortcuts apply they must be taken (their absence only costs time, which
        // the instruction benchmarks show), at any position and with names of any length.
        let doc = "x<CORSRule><AllowedOrigin>o</AllowedOrigin></CORSRule>";
        let mut p = Plain {
            doc,
            at: 1,
            open: b"",
        };
        assert_eq!(p.start_tag(), Some(&b"CORSRule"[..]));
        assert_eq!(p.at, 11);
        assert_eq!(p.start_tag(), Some(&b"AllowedOrigin"[..]));
        assert_eq!(p.at, 26);
        assert!(!p.end_tag(26, b"AllowedOrigin"), "text comes first");
        assert!(p.end_tag(27, b"AllowedOrigin"));
        assert_eq!(p.at, 43);
        assert!(
            !p.end_tag(43, b"CORSRul"),
            "a prefix of the name is another name"
        );
        assert!(p.end_tag(43, b"CORSRule"));
        assert_eq!(p.at, doc.len());
        assert_eq!(p.start_tag(), None, "at the end");
    }

    /// `agrees` for CORS documents, failing the test on a disagreement.
    fn plain_reads(doc: &str) -> bool {
        agrees::<CorsXml>(doc, "CORSConfiguration").unwrap()
    }

    #[test]
    fn the_plain_pass_reads_every_plain_construct_and_hands_over_the_rest() {
        // Giving up is always safe, so these pin down that the plain pass does read what it
        // claims to: spaces before `>`, an instruction after the root, nested unknown elements.
        for doc in [
            "<CORSConfiguration><CORSRule ><ID >a</ID ><AllowedOrigin>o</AllowedOrigin\t></CORSRule\n></CORSConfiguration>",
            "<CORSConfiguration/><?pi x?>",
            "<CORSConfiguration><CORSRule><Unknown><Deep>1</Deep><Deep/></Unknown><ID>x</ID></CORSRule></CORSConfiguration>",
            "<CORSConfiguration><CORSRule><ID></ID ></CORSRule></CORSConfiguration>",
        ] {
            assert!(plain_reads(doc), "{doc}");
        }
        // Refused by quick-xml, so the plain pass must not read them either: a declaration after
        // the root, an element inside a value, a value closed by another element's end tag.
        for doc in [
            "<CORSConfiguration/><?xml?>",
            "<CORSConfiguration><CORSRule><ID>v<xID></CORSRule></CORSConfiguration>",
            "<CORSConfiguration><CORSRule><ID>v</Other ></CORSRule></CORSConfiguration>",
            "<CORSConfiguration><CORSRule><ID></Other ></CORSRule></CORSConfiguration>",
        ] {
            assert!(!plain_reads(doc), "{doc}");
            assert!(
                full_decode::<CorsXml>(doc, "CORSConfiguration", "test").is_err(),
                "{doc}"
            );
        }
        // Tokens outside the subset are handed over, never guessed at.
        for doc in [
            "<!-- c -->",
            "<![CDATA[x]]>",
            "<!DOCTYPE x>",
            "< ID>",
            "<>",
            "<a\"b>c\">",
            "a&amp;b",
            "a\rb",
        ] {
            let mut p = Plain {
                doc,
                at: 0,
                open: b"",
            };
            assert_eq!(p.token(), None, "{doc:?}");
        }
    }

    #[test]
    fn escaping_is_skipped_only_where_quick_xml_would_change_nothing() {
        for b in 0..=255u8 {
            let text = String::from_utf8_lossy(&[b'a', b, b'z']).into_owned();
            let changed = quick_xml::escape::partial_escape(text.as_str()) != text;
            assert_eq!(needs_escaping(&text), changed, "byte {b:#04x}");
        }
        let mut out = String::new();
        element(&mut out, "ID", "a<b>&c\rd");
        assert_eq!(out, "<ID>a&lt;b&gt;&amp;c&#13;d</ID>");
    }

    #[test]
    fn what_cos_sends_is_read_by_the_plain_pass() {
        let docs = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CORSConfiguration><CORSRule><ID>1</ID><AllowedOrigin>http://www.qq.com</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedHeader>x-cos-meta-test</AllowedHeader><ExposeHeader>x-cos-meta-test1</ExposeHeader><MaxAgeSeconds>500</MaxAgeSeconds></CORSRule><ResponseVary>false</ResponseVary></CORSConfiguration>",
            "<CORSConfiguration/>",
        ];
        for doc in docs {
            assert!(
                agrees::<CorsXml>(doc, "CORSConfiguration").unwrap(),
                "{doc}"
            );
        }
        // Edges where the plain pass must stop exactly where quick-xml does: `<?>` is an
        // instruction without content (an error), the `>` of a quoted value ends nothing.
        for doc in ["<?><CORSConfiguration/>", "<??><CORSConfiguration/>"] {
            assert!(
                !agrees::<CorsXml>(doc, "CORSConfiguration").unwrap() || doc.contains("??"),
                "{doc}"
            );
        }
        assert!(decode::<CorsXml>("<?><CORSConfiguration/>", "CORSConfiguration", "CORS").is_err());
        assert!(agrees::<CorsXml>("<??><CORSConfiguration/>", "CORSConfiguration").unwrap());
        let quoted = "<CORSConfiguration><CORSRule><ID a=\"x>y\" b='/>'>v</ID></CORSRule></CORSConfiguration>";
        assert!(agrees::<CorsXml>(quoted, "CORSConfiguration").unwrap());
        // And what it hands over: the same document with a reference in a value.
        let reference = docs[0].replace("www.qq.com", "a&amp;b");
        assert!(!agrees::<CorsXml>(&reference, "CORSConfiguration").unwrap());
        let decoded: CorsXml = decode(&reference, "CORSConfiguration", "CORS").unwrap();
        assert!(format!("{decoded:?}").contains("http://a&b"), "{decoded:?}");
    }
}

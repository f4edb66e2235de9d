//! Parsing user queries (tantivy's query syntax) against our schema, with clear errors.

use super::IndexError;
use super::schema::{SCHEMA, fields, tokenizers};
use crate::segment::Segmenter;
use crate::text::normalize_detecting;
use std::collections::BTreeSet;
use tantivy::query::{Query, QueryParser, QueryParserError};
use tantivy::query_grammar::{Occur, UserInputAst, UserInputLeaf};

/// A parsed query.
#[derive(Debug)]
pub struct ParsedQuery {
    /// The query as typed.
    pub text: String,
    /// The query for tantivy (without filters).
    pub query: Box<dyn Query>,
    /// Terms (as indexed) that the query looks for in the text, for highlighting; terms under
    /// `NOT` are left out.
    pub highlight_terms: BTreeSet<String>,
}

/// Fields a user may name in a query (`title:宣言`, `year:2001`, `date:[... TO ...]`).
const USER_FIELDS: &[&str] = &[
    "text", "title", "id", "body", "doc_type", "lang", "year", "date",
];

fn parser() -> QueryParser {
    let f = fields();
    let mut p = QueryParser::new(SCHEMA.0.clone(), vec![f.title, f.text], tokenizers());
    p.set_conjunction_by_default();
    p.set_field_boost(f.title, 2.0);
    p
}

/// Parses `text` in tantivy's query syntax: terms, `"phrases"`, `"phrase"~slop`, `AND`, `OR`,
/// `NOT`/`-`, `+`, parentheses, `field:value`, `year:[2001 TO 2010]`. Terms without an operator
/// must all match. The text is normalised like documents first. Never panics: a malformed
/// query is an [`IndexError::Query`] that says what is wrong.
pub fn parse_query(text: &str) -> Result<ParsedQuery, IndexError> {
    let err = |message: String| IndexError::Query {
        query: text.to_string(),
        message,
    };
    let normalized = normalize_detecting(text).0;
    if normalized.trim().is_empty() {
        return Err(err("the query is empty".into()));
    }
    let ast =
        tantivy::query_grammar::parse_query(&normalized).map_err(|_| err(diagnose(&normalized)))?;
    let mut walk = Walk::default();
    walk.visit(&ast, false).map_err(err)?;
    if !walk.searchable {
        return Err(err(
            "nothing to search for: the query has only operators, stopwords or punctuation".into(),
        ));
    }
    let parsed = std::panic::catch_unwind(|| parser().build_query_from_user_input_ast(ast));
    let query = match parsed {
        Ok(Ok(q)) => q,
        Ok(Err(e)) => return Err(err(describe(&e))),
        Err(_) => return Err(err("the query could not be parsed".into())),
    };
    Ok(ParsedQuery {
        text: text.to_string(),
        query,
        highlight_terms: walk.terms,
    })
}

#[derive(Default)]
struct Walk {
    terms: BTreeSet<String>,
    searchable: bool,
}

impl Walk {
    fn visit(&mut self, ast: &UserInputAst, negated: bool) -> Result<(), String> {
        match ast {
            UserInputAst::Clause(clauses) => {
                for (occur, sub) in clauses {
                    let neg = negated ^ (*occur == Some(Occur::MustNot));
                    self.visit(sub, neg)?;
                }
                Ok(())
            }
            UserInputAst::Boost(sub, _) => self.visit(sub, negated),
            UserInputAst::Leaf(leaf) => self.leaf(leaf, negated),
        }
    }

    fn leaf(&mut self, leaf: &UserInputLeaf, negated: bool) -> Result<(), String> {
        let check_field = |f: &Option<String>| -> Result<(), String> {
            match f {
                Some(name) if !USER_FIELDS.contains(&name.as_str()) => Err(format!(
                    "unknown field `{name}` (fields: {})",
                    USER_FIELDS.join(", ")
                )),
                _ => Ok(()),
            }
        };
        match leaf {
            UserInputLeaf::Literal(lit) => {
                check_field(&lit.field_name)?;
                match lit.field_name.as_deref() {
                    None | Some("text") | Some("title") => {
                        let tokens = Segmenter::global().query_tokens(&lit.phrase);
                        if !tokens.is_empty() {
                            self.searchable = true;
                        }
                        if !negated {
                            self.terms.extend(tokens.into_iter().map(|t| t.term));
                        }
                    }
                    Some(_) => self.searchable |= !lit.phrase.trim().is_empty(),
                }
                Ok(())
            }
            UserInputLeaf::Range { field, .. } | UserInputLeaf::Set { field, .. } => {
                check_field(field)?;
                self.searchable = true;
                Ok(())
            }
            UserInputLeaf::Exists { field } => {
                check_field(&Some(field.clone()))?;
                self.searchable = true;
                Ok(())
            }
            UserInputLeaf::All => {
                self.searchable = true;
                Ok(())
            }
            UserInputLeaf::Regex { .. } => Err("regular expressions are not supported".into()),
        }
    }
}

/// Says what is probably wrong with a query tantivy's grammar rejected.
fn diagnose(q: &str) -> String {
    let mut quotes = 0;
    let mut depth = 0i64;
    let mut ranges = 0i64;
    let mut in_quote = false;
    for c in q.chars() {
        match c {
            '"' => {
                quotes += 1;
                in_quote = !in_quote;
            }
            _ if in_quote => {}
            '(' => depth += 1,
            ')' => depth -= 1,
            '[' | '{' => ranges += 1,
            ']' | '}' => ranges -= 1,
            _ => {}
        }
    }
    if quotes % 2 == 1 {
        "a double quote is not closed".into()
    } else if depth > 0 {
        "a parenthesis is not closed".into()
    } else if depth < 0 {
        "a closing parenthesis has no opening one".into()
    } else if ranges != 0 {
        "a range is not closed (write `field:[low TO high]`)".into()
    } else if let Some(op) = dangling_operator(q) {
        format!("`{op}` must stand between two terms (or before one, for NOT)")
    } else if q.trim_end().ends_with(':') {
        "a field name is not followed by a value".into()
    } else {
        "syntax error (check operators, quotes, parentheses and ranges)".into()
    }
}

/// An `AND`/`OR`/`NOT` without the terms it needs.
fn dangling_operator(q: &str) -> Option<&str> {
    let words: Vec<&str> = q.split_whitespace().collect();
    let binary = |w: &str| matches!(w, "AND" | "OR" | "&&" | "||");
    let unary = |w: &str| w == "NOT";
    for (i, w) in words.iter().enumerate() {
        let first = i == 0;
        let last = i + 1 == words.len();
        let next_op = words.get(i + 1).is_some_and(|n| binary(n));
        if (binary(w) && (first || last || next_op)) || (unary(w) && (last || next_op)) {
            return Some(w);
        }
    }
    None
}

fn describe(e: &QueryParserError) -> String {
    match e {
        QueryParserError::FieldDoesNotExist(f) => format!(
            "unknown field `{f}` (fields: {})",
            USER_FIELDS.join(", ")
        ),
        QueryParserError::DateFormatError(_) => {
            "dates in a query are RFC 3339 (`date:[2001-01-01T00:00:00Z TO 2005-12-31T00:00:00Z]`); \
             --from and --to take plain dates"
                .into()
        }
        QueryParserError::ExpectedInt(_) => "expected an integer (e.g. `year:2001`)".into(),
        other => other.to_string(),
    }
}

//! Parsing user queries (tantivy's query syntax) against our schema, with clear errors.

use super::IndexError;
use super::schema::{SCHEMA, fields, han_literal, tokenizers};
use crate::segment::Segmenter;
use crate::text::normalize_detecting;
use std::collections::BTreeSet;
use tantivy::query::{Query, QueryParser, QueryParserError};
use tantivy::query_grammar::{Occur, UserInputAst, UserInputLeaf, UserInputLiteral};

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
    /// Han strings (normalised, whitespace dropped) that the query looks for literally, for
    /// highlighting: each occurrence is marked, exactly; strings under `NOT` are left out.
    pub highlight_literals: BTreeSet<String>,
}

/// Longest query, in chars.
pub const MAX_QUERY_CHARS: usize = 4096;
/// Deepest nesting of parentheses and `NOT`s in a query: tantivy's grammar and the query
/// builder recurse once per level, and ten thousand levels overflow the stack.
pub const MAX_QUERY_DEPTH: usize = 64;
/// Score weight of a match in the character fields, below the word fields': a document where
/// the string stands as a word ranks above one where it stands inside another word.
const CHARS_BOOST: f32 = 0.5;

/// Fields a user may name in a query (`title:宣言`, `year:2001`, `date:[... TO ...]`).
const USER_FIELDS: &[&str] = &[
    "text", "title", "id", "body", "doc_type", "lang", "year", "date",
];

fn parser() -> QueryParser {
    let f = fields();
    let mut p = QueryParser::new(SCHEMA.0.clone(), vec![f.title, f.text], tokenizers());
    p.set_conjunction_by_default();
    p.set_field_boost(f.title, 2.0);
    p.set_field_boost(f.chars, CHARS_BOOST);
    p.set_field_boost(f.title_chars, 2.0 * CHARS_BOOST);
    p
}

/// Parses `text` in tantivy's query syntax: terms, `"phrases"`, `"phrase"~slop`, `AND`, `OR`,
/// `NOT`/`-`, `+`, parentheses, `field:value`, `year:[2001 TO 2010]`. Terms without an operator
/// must all match. The text is normalised like documents first. Never panics: a malformed
/// query is an [`IndexError::Query`] that says what is wrong.
///
/// A term or phrase of Han characters finds every place where that string stands (the
/// character fields, searched as a phrase), whether or not the segmenter cut there; a match of
/// whole words adds to the score. A phrase with slop, and a term with an alias (`上合组织`),
/// also find what the words match.
pub fn parse_query(text: &str) -> Result<ParsedQuery, IndexError> {
    let err = |message: String| IndexError::Query {
        query: shortened(text),
        message,
    };
    let chars = text.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(err(format!(
            "the query is {chars} characters long (at most {MAX_QUERY_CHARS})"
        )));
    }
    let normalized = normalize_detecting(text).0;
    if normalized.trim().is_empty() {
        return Err(err("the query is empty".into()));
    }
    let depth = nesting_depth(&normalized);
    if depth > MAX_QUERY_DEPTH {
        return Err(err(format!(
            "the query nests parentheses and NOTs {depth} deep (at most {MAX_QUERY_DEPTH})"
        )));
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
    let ast = literal_recall(ast);
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
        highlight_literals: walk.literals,
    })
}

/// The query as an error message quotes it: a long one cut after 80 chars.
fn shortened(text: &str) -> String {
    const SHOWN: usize = 80;
    if text.chars().nth(SHOWN).is_none() {
        text.to_string()
    } else {
        text.chars().take(SHOWN).chain(['…']).collect()
    }
}

/// How deep `(` and `NOT` nest in `q` (outside quotes).
fn nesting_depth(q: &str) -> usize {
    let (mut depth, mut deepest, mut nots) = (0usize, 0usize, 0usize);
    let mut in_quote = false;
    for c in q.chars() {
        match c {
            '"' => in_quote = !in_quote,
            _ if in_quote => {}
            '(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    // `NOT NOT NOT x` nests without parentheses; counting every NOT over-counts only queries
    // with more than 64 of them.
    for w in q.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
        if w == "NOT" {
            nots += 1;
        }
    }
    deepest + nots
}

/// Whether a literal of text (or the default fields) is a Han string to look for in the
/// character fields: the literal's field name, when it is one.
fn literal_fields(lit: &UserInputLiteral) -> Option<&'static [&'static str]> {
    if lit.prefix || han_literal(&lit.phrase).is_none() {
        return None;
    }
    match lit.field_name.as_deref() {
        None => Some(&["chars", "title_chars"]),
        Some("text") => Some(&["chars"]),
        Some("title") => Some(&["title_chars"]),
        Some(_) => None,
    }
}

/// True when a Han literal's words stand for more than its string: one of them is a member of
/// an alias group (`上合组织`, `上海合作组织`), so the words also match the group's other names.
pub(crate) fn has_alias(phrase: &str) -> bool {
    let normalized = normalize_detecting(phrase).0;
    let seg = Segmenter::global();
    seg.query_tokens(&normalized).iter().any(|t| {
        normalized.get(t.byte_start..t.byte_end) != Some(t.term.as_str())
            || seg.is_alias_target(&t.term)
    })
}

/// Rewrites every Han literal `L` of the text or title into "the string `L` stands there"
/// (its chars as a phrase in the character fields) with the words of `L` as an optional,
/// score-raising clause. With slop or an alias, the words alone also match.
fn literal_recall(ast: UserInputAst) -> UserInputAst {
    match ast {
        UserInputAst::Clause(clauses) => UserInputAst::Clause(
            clauses
                .into_iter()
                .map(|(occur, sub)| (occur, literal_recall(sub)))
                .collect(),
        ),
        UserInputAst::Boost(sub, boost) => {
            UserInputAst::Boost(Box::new(literal_recall(*sub)), boost)
        }
        UserInputAst::Leaf(leaf) => match *leaf {
            UserInputLeaf::Literal(lit) => {
                let Some(char_fields) = literal_fields(&lit) else {
                    return UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(lit)));
                };
                let chars = UserInputAst::Clause(
                    char_fields
                        .iter()
                        .map(|name| {
                            let mut l = lit.clone();
                            l.field_name = Some((*name).to_string());
                            (
                                Some(Occur::Should),
                                UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(l))),
                            )
                        })
                        .collect(),
                );
                let words_alone = lit.slop > 0 || has_alias(&lit.phrase);
                let words = UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(lit)));
                let chars_occur = if words_alone {
                    Occur::Should
                } else {
                    Occur::Must
                };
                UserInputAst::Clause(vec![
                    (Some(chars_occur), chars),
                    (Some(Occur::Should), words),
                ])
            }
            other => UserInputAst::Leaf(Box::new(other)),
        },
    }
}

#[derive(Default)]
struct Walk {
    terms: BTreeSet<String>,
    literals: BTreeSet<String>,
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
                        let literal = literal_fields(lit).and_then(|_| han_literal(&lit.phrase));
                        if !tokens.is_empty() || literal.is_some() {
                            self.searchable = true;
                        }
                        if negated {
                            return Ok(());
                        }
                        match literal {
                            // A literal is marked where it stands; its words only where they
                            // match without it (slop, aliases).
                            Some(literal) => {
                                if lit.slop > 0 || has_alias(&lit.phrase) {
                                    self.terms.extend(tokens.into_iter().map(|t| t.term));
                                }
                                self.literals.insert(literal);
                            }
                            None => self.terms.extend(tokens.into_iter().map(|t| t.term)),
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

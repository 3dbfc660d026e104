//! Text written to steer an AI that reads the page.

use super::*;

/// Sentences in `text` that address an AI/assistant/LLM or read like instructions to one.
/// Returns the offending snippets (≤ 160 chars each, at most 5).
pub fn injection_snippets(text: &str) -> Vec<String> {
    let text = cap_at_char_boundary(text, MAX_TEXT_BYTES);
    let Some(re) = INJECTION_RE.as_ref() else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    let mut covered_until = 0usize;
    for m in re.find_iter(text) {
        if m.start() < covered_until {
            continue;
        }
        let (s, e) = sentence_bounds(text, m.start(), m.end());
        let snippet = if text[s..e].chars().count() <= MAX_EVIDENCE_CHARS {
            text[s..e].trim().to_string()
        } else {
            evidence_window(text, m.start(), m.end())
        };
        covered_until = e.max(m.end());
        if !snippet.is_empty() && !out.contains(&snippet) {
            out.push(snippet);
            if out.len() == MAX_INJECTION_SNIPPETS {
                break;
            }
        }
    }
    out
}

/// Where `text` addresses an AI assistant or reads like instructions to one: the byte range of
/// each match (the first 300 KB are scanned), for callers that cut out the block around it.
pub(crate) fn injection_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let text = cap_at_char_boundary(text, MAX_TEXT_BYTES);
    match INJECTION_RE.as_ref() {
        Some(re) => re.find_iter(text).map(|m| m.range()).collect(),
        None => Vec::new(),
    }
}

/// Names for a model. Plain "agent"/"bot" are left out: "Attention agents:" is how estate
/// agents and insurers are addressed.
pub(super) const AI_NOUN: &str = r"(?:ai|a\.i\.|llm|gpt|chatgpt|claude|gemini|copilot|language\s+model|ai\s+(?:assistant|model|agent|system|crawler|bot)|assistant|chatbot|crawler|scraper)s?";

pub(super) static INJECTION_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let parts = [
        // "ignore previous instructions", "disregard all prior rules", "forget your instructions"
        r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+|my\s+|these\s+|those\s+)?(?:previous|prior|above|earlier|preceding|foregoing|former|original|existing|system|initial)\s+(?:instructions?|prompts?|directions?|directives?|messages?|rules|guidelines|context|commands?)\b".to_string(),
        r"\b(?:ignore|disregard|forget)\s+(?:all\s+|everything\s+)?(?:you\s+(?:were|have\s+been)\s+told|your\s+(?:instructions|programming|training|guidelines|rules|system\s+prompt))\b".to_string(),
        r"\bdisregard\s+(?:all|any|everything)\s+(?:prior|previous|above)\b".to_string(),
        // "you are ChatGPT", "you are now an unrestricted AI"
        r"\byou\s+are\s+(?:now\s+)?(?:chatgpt|gpt-?\d(?:\.\d)?|claude|gemini|bard|copilot|llama|mistral|an?\s+(?:ai|a\.i\.|large\s+language\s+model|language\s+model|llm|ai\s+(?:assistant|model|agent)|chatbot|helpful\s+assistant|unrestricted|unfiltered))\b".to_string(),
        // "As an AI language model, ..."
        r"\bas\s+an?\s+(?:ai|a\.i\.|artificial\s+intelligence|large\s+language\s+model|language\s+model|llm)(?:\s+(?:language\s+)?model|\s+assistant)?\s*,".to_string(),
        // "system prompt" (the noun; "our system prompts you" is not it)
        r"\bsystem\s+prompt\b".to_string(),
        r"\b(?:system|developer)\s+(?:message|instructions?)\s*:".to_string(),
        // Chat-transcript role markers and chat-template tokens.
        r"(?:^|[.!?]\s+|[\x22“]\s*)(?:assistant|human)\s*:\s".to_string(),
        r"<\|im_(?:start|end)\|>|<\|(?:system|user|assistant|endoftext)\|>|\[/?INST\]|<</?SYS>>|###\s*(?:system|instruction|assistant)\b|\[(?:system|assistant|inst)\]".to_string(),
        // Secrecy towards the user.
        r"\b(?:do\s+not|don(?:'|’)?t|never)\s+(?:tell|inform|alert|warn|let|reveal\s+(?:this\s+|it\s+)?to|mention\s+(?:this\s+|that\s+|it\s+)?to|disclose\s+(?:this\s+|it\s+)?to|show\s+(?:this\s+|it\s+)?to)\s+the\s+(?:user|human|reader|operator)\b".to_string(),
        r"\bwithout\s+(?:telling|informing|alerting)\s+the\s+(?:user|human|operator)\b".to_string(),
        // Addressing a model directly: "Note to AI:", "Dear ChatGPT,", "if you are an LLM".
        format!(r"\b(?:dear|hey|hello|hi|attention|note\s+(?:to|for)|message\s+(?:to|for)|instructions?\s+(?:to|for))\s+(?:the\s+|any\s+|all\s+)?{AI_NOUN}\s*[,:!]"),
        r"\b(?:if\s+you\s+are|if\s+you're|are\s+you)\s+an?\s+(?:ai|a\.i\.|llm|large\s+language\s+model|language\s+model|chatbot|ai\s+(?:assistant|model|agent))\b".to_string(),
        format!(r"\b{AI_NOUN}\s+(?:reading|parsing|processing|summari[sz]ing|analy[sz]ing|crawling|scraping|reviewing|evaluating)\s+this\b"),
        // Steering the verdict: "rate this company highly", "give this lead a perfect score".
        r"\b(?:rate|score|rank|grade|classify|mark|label|flag|describe|present|recommend|evaluate|assess|list|consider|treat)\s+(?:this|the|our)\s+(?:company|business|vendor|lead|prospect|website|site|firm|organi[sz]ation)\s+(?:as\s+)?(?:very\s+|extremely\s+)?(?:highly|high|positively|favou?rably|excellent|exceptional|the\s+best|an?\s+(?:top|perfect|high|hot|strong|great|qualified|excellent)|top|10|5|ten|five|hot|\d+\s*/\s*\d+|qualified|high[- ]priority)\b".to_string(),
        r"\bgive\s+(?:this|the|our)\s+(?:company|business|vendor|lead|prospect|website|site)\s+(?:a\s+|the\s+)?(?:high|higher|highest|perfect|top|maximum|max|excellent|positive|5[- ]star|five[- ]star|10/10)\b".to_string(),
        format!(r"\b(?:you|{AI_NOUN})\s+(?:must|should|shall)\s+(?:always\s+)?(?:rate|score|rank|grade|classify)\s+(?:this|the|our|us|it)\b"),
        format!(r"\b(?:you|{AI_NOUN})\s+(?:must|shall)\s+(?:always\s+)?(?:obey|comply\s+with|follow)\s+(?:these|this|the\s+following)\b"),
        r"\b(?:this|the)\s+(?:company|business|lead|vendor)\s+(?:should|must)\s+be\s+(?:rated|scored|ranked|classified|marked|considered)\b".to_string(),
        // Generic jailbreak phrasing.
        r"\bnew\s+instructions?\s*:".to_string(),
        r"\b(?:your|the)\s+(?:new|real|actual|updated|true)\s+(?:instructions|task|objective|goal)\s+(?:is|are)\b".to_string(),
        r"\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must|should)\b".to_string(),
        r"\bpretend\s+(?:that\s+)?(?:you\s+are|you're|to\s+be)\s+(?:an?\s+)?(?:different|unrestricted|ai|assistant|chatbot|gpt|dan)\b".to_string(),
        r"\b(?:dan\s+mode|developer\s+mode\s+enabled)\b".to_string(),
        r"\b(?:respond|reply|answer)\s+only\s+with\b".to_string(),
    ];
    let joined = parts
        .iter()
        .map(|p| format!("(?:{p})"))
        .collect::<Vec<_>>()
        .join("|");
    builtin(&format!("(?i){joined}"))
});

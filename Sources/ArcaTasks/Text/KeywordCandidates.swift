/// Keyword candidates the way KeyBERT's default `CountVectorizer(ngram_range=(1, 2),
/// stop_words="english")` makes them: lowercase words of two or more letters or digits,
/// stop words removed, then unigrams and bigrams of the remaining words, first occurrence order.
public enum KeywordCandidates {
    public static func candidates(in text: String, limit: Int) -> [String] {
        let words = words(in: text).filter { !stopWords.contains($0) }
        var seen: Set<String> = []
        var out: [String] = []
        func add(_ c: String) {
            if out.count < limit, seen.insert(c).inserted { out.append(c) }
        }
        for w in words { add(w) }
        for i in words.indices.dropLast() { add(words[i] + " " + words[i + 1]) }
        return out
    }

    public static func words(in text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for ch in text.lowercased() {
            if ch.isLetter || ch.isNumber || ch == "_" {
                current.append(ch)
            } else {
                if current.count >= 2 { words.append(current) }
                current = ""
            }
        }
        if current.count >= 2 { words.append(current) }
        return words
    }

    public static let stopWords: Set<String> = [
        "a", "about", "above", "across", "after", "afterwards", "again", "against", "all", "almost", "alone", "along",
        "already", "also", "although", "always", "am", "among", "amongst", "an", "and", "another", "any", "anyhow",
        "anyone", "anything", "anyway", "anywhere", "are", "around", "as", "at", "back", "be", "became", "because",
        "become", "becomes", "becoming", "been", "before", "beforehand", "behind", "being", "below", "beside", "besides",
        "between", "beyond", "both", "but", "by", "can", "cannot", "could", "did", "do", "does", "doing", "done", "down",
        "due", "during", "each", "eg", "either", "else", "elsewhere", "enough", "etc", "even", "ever", "every",
        "everyone", "everything", "everywhere", "except", "few", "for", "former", "formerly", "from", "further", "had",
        "has", "have", "having", "he", "hence", "her", "here", "hereafter", "hereby", "herein", "hereupon", "hers",
        "herself", "him", "himself", "his", "how", "however", "ie", "if", "in", "indeed", "into", "is", "it", "its",
        "itself", "just", "last", "latter", "latterly", "least", "less", "ltd", "made", "many", "may", "me", "meanwhile",
        "might", "more", "moreover", "most", "mostly", "much", "must", "my", "myself", "namely", "neither", "never",
        "nevertheless", "next", "no", "nobody", "none", "noone", "nor", "not", "nothing", "now", "nowhere", "of", "off",
        "often", "on", "once", "one", "only", "onto", "or", "other", "others", "otherwise", "our", "ours", "ourselves",
        "out", "over", "own", "per", "perhaps", "please", "rather", "re", "same", "seem", "seemed", "seeming", "seems",
        "several", "she", "should", "since", "so", "some", "somehow", "someone", "something", "sometime", "sometimes",
        "somewhere", "still", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "thence",
        "there", "thereafter", "thereby", "therefore", "therein", "thereupon", "these", "they", "this", "those",
        "though", "through", "throughout", "thru", "thus", "to", "together", "too", "toward", "towards", "under",
        "until", "up", "upon", "us", "very", "via", "was", "we", "well", "were", "what", "whatever", "when", "whence",
        "whenever", "where", "whereafter", "whereas", "whereby", "wherein", "whereupon", "wherever", "whether", "which",
        "while", "whither", "who", "whoever", "whole", "whom", "whose", "why", "will", "with", "within", "without",
        "would", "yet", "you", "your", "yours", "yourself", "yourselves",
    ]
}

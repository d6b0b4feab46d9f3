// Heyan rule language: lexer.
//
// Every keyword has a Chinese and an English spelling. Keywords must be separated from
// identifiers by white space or punctuation: the lexer takes the longest match, so
// "规则R02" is one identifier, not the keyword 规则 followed by R02.
lexer grammar HeyanLexer;

// ---- declarations --------------------------------------------------------------------
RULESET    : '规则集' | 'ruleset' ;
VERSION    : '版本' | 'version' ;
BASIS      : '依据' | 'basis' ;
IMPORT     : '导入' | 'import' ;
PARAM      : '参数' | 'parameter' ;
ASSUME     : '假设' | 'assumption' ;
BECAUSE    : '理由' | 'because' ;
UNIT       : '单位' | 'unit' ;
OVERRIDE   : '覆盖' | 'override' ;
DISABLE    : '停用' | 'disable' ;
FROM       : '自' | 'from' ;
ONWARDS    : '起' | 'onwards' ;
LET        : '计算' | 'let' ;
OUTPUT     : '输出' | 'output' ;
AS         : '记为' | 'as' ;
RULE       : '规则' | 'rule' ;
EACH       : '每个' | 'each' ;
WHEN       : '当' | 'when' ;
THEN       : '则' | 'then' ;
EXCEPT     : '例外' | 'except' ;
INELIGIBLE : '不符合' | 'ineligible' ;
REVIEW     : '需复核' | 'review' ;
FLAG       : '标记' | 'flag' ;
MISSING    : '缺少材料' | 'missing' ;
TABLE      : '决策表' | 'table' ;
HIT        : '命中' | 'hit' ;
UNIQUE     : '唯一' | 'unique' ;
FIRST      : '首个' | 'first' ;
INPUTS     : '条件' | 'inputs' ;
ROW        : '行' | 'row' ;

// ---- expressions ---------------------------------------------------------------------
IF         : '如果' | 'if' ;
ELSE       : '否则' | 'else' | 'otherwise' ;
AND        : '并且' | '且' | 'and' ;
OR         : '或者' | '或' | 'or' ;
NOT        : '并非' | 'not' ;
ANY        : '任一' | 'any' ;
ALL        : '所有' | 'all' ;
SATISFIES  : '满足' | 'satisfies' ;
WHERE      : '其中' | 'where' ;
// Written as character sets: ANTLR 4.7.2 cannot emit non-ASCII single-literal token names
// for C++, so tokens with one non-ASCII spelling avoid being a plain literal.
IN_BIND    : [在] ;
MEMBER_OF  : '属于' | 'in' ;
NOT_MEMBER : [不] [属] [于] ;
SUM        : '合计' | 'sum' ;
COUNT      : '计数' | 'count' ;
MIN        : '最小' | 'min' ;
MAX        : '最大' | 'max' ;
DISTINCT   : '去重' | 'distinct' ;
TRUE       : '真' | '是' | 'true' ;
FALSE      : '假' | '否' | 'false' ;

// ---- literals ------------------------------------------------------------------------
// 2017-07-01 or 2017年7月1日. "2025-1-1" is lexed as a date too, so that the parser can say
// that months and days take two digits (E0104) instead of reading a subtraction.
DATE       : DIGIT DIGIT DIGIT DIGIT '-' DIGIT DIGIT? '-' DIGIT DIGIT?
           | DIGIT DIGIT DIGIT DIGIT '年' DIGIT DIGIT? '月' DIGIT DIGIT? '日' ;
// 470元, 470.00元, 50分, 470yuan
MONEY      : DIGITS ('.' DIGITS)? ('元' | 'yuan') | DIGITS ('分' | 'fen') ;
PERCENT    : DIGITS ('.' DIGITS)? ('%' | '％') ;
// 12个月, 3年, 30天; English: 12 months, 3 years, 30 days
DURATION   : DIGITS ('个月' | '年' | '天' | '日')
           | DIGITS [ \t]* ('months' | 'month' | 'years' | 'year' | 'days' | 'day') ;
DECIMAL    : DIGITS '.' DIGITS ;
INT        : DIGITS ;
STRING     : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"'
           | '\u201C' (~[\u201D\r\n])* '\u201D' ;

// ---- punctuation (full-width forms where natural) -----------------------------------
ARROW      : '=>' | '→' ;
LE         : '<=' | '≤' ;
GE         : '>=' | '≥' ;
NE         : '!=' | '≠' ;
EQEQ       : '==' ;
EQ         : '=' ;
LT         : '<' ;
GT         : '>' ;
PLUS       : '+' ;
MINUS      : '-' ;
STAR       : '*' | '×' ;
SLASH      : '/' | '÷' ;
LPAREN     : '(' | '（' ;
RPAREN     : ')' | '）' ;
LBRACK     : '[' | '【' ;
RBRACK     : ']' | '】' ;
COMMA      : ',' | '，' | '、' ;
COLON      : ':' | '：' ;
DOT        : '.' ;

IDENT      : ID_START ID_PART* ;

COMMENT    : ('#' | '//') ~[\r\n]* -> channel(HIDDEN) ;
WS         : [ \t\r\n\u3000\uFEFF]+ -> channel(HIDDEN) ;
// Anything else becomes a token the parser rejects with a located error, never a crash.
UNKNOWN_CHAR : . ;

fragment DIGIT  : [0-9] ;
fragment DIGITS : [0-9]+ ;
fragment ID_START : [a-zA-Z_\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF] ;
fragment ID_PART  : ID_START | [0-9] ;

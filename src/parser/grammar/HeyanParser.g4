// Heyan rule language: parser.
//
// A rule file is one rule set: a header, imports, then declarations in any order
// (parameters, computed values, outputs, rules, decision tables). Order does not matter
// for meaning: the checker orders definitions by their dependencies and rejects cycles.
parser grammar HeyanParser;

options { tokenVocab = HeyanLexer; }

ruleFile   : header importDecl* decl* EOF ;
header     : RULESET name=IDENT (VERSION version=STRING)? basis? ;
importDecl : IMPORT path=STRING ;
basis      : BASIS STRING ;

decl
    : paramDecl
    | letDecl
    | outputDecl
    | ruleDecl
    | tableDecl
    | disableDecl
    ;

// 参数 月低保标准: 金额 单位 "元/人/月"
//   自 2017-07-01 起 = 380元 依据 "..."
paramDecl
    : OVERRIDE? ASSUME? PARAM name=IDENT COLON typeRef (UNIT unit=STRING)?
      paramBody because?
    ;
paramBody
    : EQ expr basis?                      # constantParam
    | paramValue+                         # datedParam
    ;
paramValue : FROM DATE ONWARDS? EQ expr basis? ;
because    : BECAUSE STRING ;

letDecl    : OVERRIDE? LET name=IDENT (COLON typeRef)? EQ expr basis? ;
outputDecl : OVERRIDE? OUTPUT name=IDENT (COLON typeRef)? EQ expr (AS key=IDENT)? basis? ;

// 规则 R02 "家庭成员中有财政供养人员" 依据 "第三部分(一)1"
//   当 任一 成员 满足 成员.身份证号 属于 登记册.财政供养人员
//   则 不符合 "成员 {成员.姓名} 为财政供养人员"
ruleDecl
    : OVERRIDE? RULE ruleId title=STRING basis?
      (EACH var=IDENT (IN_BIND | MEMBER_OF) each=expr)?
      WHEN cond=expr
      exceptClause*
      THEN outcome message=STRING?
    ;
ruleId        : IDENT | INT ;
exceptClause  : EXCEPT title=STRING? basis? COLON expr ;
outcome       : INELIGIBLE | REVIEW | FLAG | MISSING ;
disableDecl   : DISABLE RULE ruleId basis? ;

// 决策表 保障档次: 文本 命中 唯一
//   条件 人均收入比例
//   行 < 30% => "A"
//   否则 => "C"
tableDecl
    : OVERRIDE? TABLE name=IDENT (COLON typeRef)? HIT hitPolicy basis?
      INPUTS expr (COMMA expr)*
      tableRow+
      (ELSE ARROW otherwise=expr basis?)?
    ;
hitPolicy : UNIQUE | FIRST ;
tableRow  : ROW cell (COMMA cell)* ARROW result=expr basis? ;
cell
    : MINUS                                                            # anyCell
    | op=(LT | LE | GT | GE | EQ | EQEQ | NE) expr                      # compareCell
    | lo=(LBRACK | LPAREN) expr COMMA expr hi=(RBRACK | RPAREN)          # rangeCell
    | (MEMBER_OF | NOT_MEMBER) expr                                    # memberCell
    | expr                                                             # equalCell
    ;

typeRef : IDENT (LT typeRef GT)? ;

// Alternatives are listed from the tightest binding to the loosest.
expr
    : primary                                                          # primaryExpr
    | expr DOT IDENT                                                   # fieldExpr
    | expr LBRACK expr RBRACK                                          # indexExpr
    | MINUS expr                                                       # negateExpr
    | expr op=(STAR | SLASH) expr                                      # mulExpr
    | expr op=(PLUS | MINUS) expr                                      # addExpr
    | expr op=(LT | LE | GT | GE | EQ | EQEQ | NE) expr                # compareExpr
    | expr (MEMBER_OF | NOT_MEMBER | NOT MEMBER_OF) expr               # memberExpr
    | NOT expr                                                         # notExpr
    | expr AND expr                                                    # andExpr
    | expr OR expr                                                     # orExpr
    | quant=(ANY | ALL) (var=IDENT (IN_BIND | MEMBER_OF))? expr SATISFIES expr  # quantExpr
    | IF expr THEN expr ELSE expr                                      # ifExpr
    | expr WHERE expr                                                  # whereExpr
    ;

primary
    : literal                                                          # literalPrimary
    | IDENT                                                            # namePrimary
    | LPAREN expr RPAREN                                               # parenPrimary
    | LBRACK (expr (COMMA expr)*)? RBRACK                              # listPrimary
    | agg=(SUM | MIN | MAX | DISTINCT) LPAREN expr (COLON expr)? RPAREN  # aggregatePrimary
    | COUNT LPAREN expr RPAREN                                         # countPrimary
    | IDENT LPAREN (expr (COMMA expr)*)? RPAREN                        # callPrimary
    ;

literal
    : INT | DECIMAL | MONEY | PERCENT | DATE | DURATION | STRING | TRUE | FALSE ;

// Entry point for the expressions inside "{...}" of a message.
interpolation : expr EOF ;

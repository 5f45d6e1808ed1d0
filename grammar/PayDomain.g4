// The paydomain language. One domain is one or more .pd files; each file is a
// sequence of object definitions. Keywords are "soft": any keyword may also be
// used as an object id or a value (see `ident`), so the language can grow new
// keywords without breaking existing domains.
grammar PayDomain;

domainFile : definition* EOF ;

definition
  : kind=objectKind id=ident (EXTENDS parent=ident)? LBRACE clause* RBRACE
  | TEST title=STRING LBRACE clause* RBRACE
  ;

objectKind
  : CURRENCY | CATEGORY | PAYMENT_SYSTEM | WALLET_PROVIDER | COUNTRY
  | ADAPTER | PROVIDER | TERMINAL | TARIFF | ROUTING | LIMIT | CRITERION
  | PAYMENT_INSTITUTION | TARIFF_BINDING
  ;

// Clauses are kind-specific; the checker says which clause belongs where, so
// a misplaced clause gets a precise "not allowed in a terminal" error.
clause
  : NAME STRING                                              # nameClause
  | DESCRIPTION STRING                                       # descriptionClause
  | NUMERIC NUMBER                                           # numericClause
  | EXPONENT NUMBER                                          # exponentClause
  | SYMBOL STRING                                            # symbolClause
  | URL STRING                                               # urlClause
  | OPTION key=STRING val=STRING                             # optionClause
  | ADAPTER ident                                            # adapterClause
  | ACCOUNT role=account? currency=ident NUMBER               # accountClause
  | ACCEPTS condition                                        # acceptsClause
  | FEES cashFlowBlock                                       # feesClause
  | PROVIDER ident                                           # providerClause
  | RISK_COVERAGE ident                                      # riskCoverageClause
  | DISABLED                                                 # disabledClause
  | CURRENCIES list                                          # currenciesClause
  | CATEGORIES list                                          # categoriesClause
  | PAYMENT_METHODS LBRACK (method (COMMA method)*)? RBRACK  # paymentMethodsClause
  | AMOUNT BETWEEN low=money AND high=money                  # amountBoundsClause
  | REFUNDS LBRACE termsItem* RBRACE                         # refundsClause
  | CAPTURES LBRACE termsItem* RBRACE                        # capturesClause
  | CHARGEBACKS LBRACE termsItem* RBRACE                     # chargebacksClause
  | HOLD_LIFETIME NUMBER unit=ident                          # holdLifetimeClause
  | ROUTING ident                                            # routingClause
  | routingStatement                                         # routingStatementClause
  | SCOPE list                                               # scopeClause
  | PERIOD ident                                             # periodClause
  | TIMEZONE STRING                                          # timezoneClause
  | measure=(AMOUNT | COUNT) op=(LE | LT) value              # limitBoundClause
  | WHEN condition                                           # whenClause
  | GIVEN LBRACE givenEntry* RBRACE                          # givenClause
  | EXPECT expectation                                       # expectClause
  | REALM ident                                              # realmClause
  | RESIDENCES list                                          # residencesClause
  | DEFAULT_TARIFF ident                                     # defaultTariffClause
  | bindingRule                                              # bindingRuleClause
  ;

// ---- tariff binding: who gets which tariff, first match wins ---------------
bindingRule : (WHEN condition | OTHERWISE) COLON TARIFF ident ;

method : kind=ident (LPAREN sub=ident RPAREN)? ;

// The items of an operation's terms (`refunds`, `captures`, `chargebacks`); which ones a
// block takes is the checker's (dsl/checker.cc, operation_terms).
termsItem
  : ALLOWED boolean                                          # termsAllowed
  | PARTIAL boolean                                          # termsPartial
  | FEES cashFlowBlock                                       # termsFees
  | WITHIN NUMBER unit=ident                                 # termsWithin
  | RESERVE cashFlowBlock                                    # termsReserve
  ;

boolean : TRUE | FALSE ;

// ---- routing ------------------------------------------------------------
routingStatement
  : WHEN condition COLON DECLINE STRING?                                # routeDecline
  | (WHEN condition COLON)? USE ident                                   # routeDelegate
  | CANDIDATE ident (PRIORITY prio=NUMBER)? (WEIGHT wt=NUMBER)? (WHEN condition)?  # routeCandidate
  | EXCLUDE WHEN condition                                              # routeExclude
  ;

// ---- cash flow ----------------------------------------------------------
cashFlowBlock : LBRACE cashFlowBody RBRACE ;
cashFlowBody  : posting* (whenArm+ otherwiseArm?)? ;
whenArm       : WHEN condition LBRACE cashFlowBody RBRACE ;
otherwiseArm  : OTHERWISE LBRACE cashFlowBody RBRACE ;

posting : from=account ARROW to=account COLON volume (ROUND rounding=ident)? details=STRING? ;
account : owner=ident DOT name=ident ;

volume     : volumeTerm (PLUS volumeTerm)* ;
volumeTerm
  : money                                                    # fixedVolume
  | PERCENT OF AMOUNT                                        # percentVolume
  | num=NUMBER SLASH den=NUMBER OF AMOUNT                    # fractionVolume
  | AMOUNT                                                   # wholeAmountVolume
  | fn=(MIN | MAX) LPAREN volume (COMMA volume)+ RPAREN      # minMaxVolume
  | LPAREN volume RPAREN                                     # parenVolume
  ;

// ---- conditions -----------------------------------------------------------
condition : andCondition (OR andCondition)* ;
andCondition : notCondition (AND notCondition)* ;
notCondition
  : NOT notCondition                                         # negation
  | LPAREN condition RPAREN                                  # parenCondition
  | comparison                                               # comparisonCondition
  | ident                                                    # criterionCondition
  ;

comparison
  : attribute op=(EQ | NE | LT | LE | GT | GE) value         # compareOp
  | attribute NOT? IN list                                   # compareIn
  | attribute IS NOT? value                                  # compareIs
  | attribute BETWEEN low=value AND high=value               # compareBetween
  | attribute STARTS_WITH value                              # compareStartsWith
  ;

// `time("Europe/Moscow")`, `weekday("+03:00")`: the attribute read in a time zone.
attribute : ident (DOT ident)? (LPAREN zone=STRING RPAREN)? ;

// ---- tests ----------------------------------------------------------------
givenEntry
  : HEALTH target=ident metric=ident value                   # givenHealth
  | TURNOVER target=ident at=ident? value                    # givenTurnover
  | key=ident value                                          # givenField
  ;

expectation
  : POSTING from=account ARROW to=account money              # expectPosting
  | NO ROUTE                                                 # expectNoRoute
  | ROUTE IN list                                            # expectRouteIn
  | ROUTE ident                                              # expectRoute
  | DECLINE STRING?                                          # expectDecline
  | ALLOWED                                                  # expectAllowed
  | FORBIDDEN                                                # expectForbidden
  | LIMIT ident state=(APPLIES | EXCEEDED)                   # expectLimit
  | LIMIT ident NOT APPLIES                                  # expectLimitNot
  | UNDETERMINED                                             # expectUndetermined
  | TARIFF ident                                             # expectTariff
  | ACCOUNT account (NUMBER | STRING)                        # expectAccount
  ;

// ---- values ---------------------------------------------------------------
value
  : money                                                    # moneyValue
  | PERCENT                                                  # percentValue
  | NUMBER                                                   # numberValue
  | STRING                                                   # stringValue
  | TIME                                                     # timeValue
  | ident                                                    # identValue
  | list                                                     # listValue
  ;
list  : LBRACK (value (COMMA value)*)? RBRACK ;
money : NUMBER CODE ;

ident
  : ID | CODE
  | CURRENCY | CATEGORY | PAYMENT_SYSTEM | WALLET_PROVIDER | COUNTRY | ADAPTER
  | PROVIDER | TERMINAL | TARIFF | ROUTING | LIMIT | CRITERION | TEST
  | NAME | DESCRIPTION | NUMERIC | EXPONENT | SYMBOL | URL | OPTION | ACCOUNT
  | ACCEPTS | FEES | RISK_COVERAGE | DISABLED | CURRENCIES | CATEGORIES
  | PAYMENT_METHODS | AMOUNT | BETWEEN | REFUNDS | ALLOWED | PARTIAL
  | HOLD_LIFETIME | SCOPE | PERIOD | TIMEZONE | COUNT | GIVEN | EXPECT
  | CANDIDATE | PRIORITY | WEIGHT | EXCLUDE | USE | DECLINE | OTHERWISE | OF
  | MIN | MAX | ROUND | POSTING | NO | ROUTE | FORBIDDEN | APPLIES | EXCEEDED
  | UNDETERMINED | HEALTH | TURNOVER | STARTS_WITH | TRUE | FALSE
  | PAYMENT_INSTITUTION | TARIFF_BINDING | REALM | RESIDENCES | DEFAULT_TARIFF
  | EXTENDS | WITHIN | CAPTURES | CHARGEBACKS | RESERVE
  ;

// ---- lexer ----------------------------------------------------------------
CURRENCY : 'currency' ;
CATEGORY : 'category' ;
PAYMENT_SYSTEM : 'payment_system' ;
WALLET_PROVIDER : 'wallet_provider' ;
COUNTRY : 'country' ;
ADAPTER : 'adapter' ;
PROVIDER : 'provider' ;
TERMINAL : 'terminal' ;
TARIFF : 'tariff' ;
EXTENDS : 'extends' ;
ROUTING : 'routing' ;
LIMIT : 'limit' ;
CRITERION : 'criterion' ;
TEST : 'test' ;
NAME : 'name' ;
DESCRIPTION : 'description' ;
NUMERIC : 'numeric' ;
EXPONENT : 'exponent' ;
SYMBOL : 'symbol' ;
URL : 'url' ;
OPTION : 'option' ;
ACCOUNT : 'account' ;
ACCEPTS : 'accepts' ;
FEES : 'fees' ;
RISK_COVERAGE : 'risk_coverage' ;
DISABLED : 'disabled' ;
CURRENCIES : 'currencies' ;
CATEGORIES : 'categories' ;
PAYMENT_METHODS : 'payment_methods' ;
AMOUNT : 'amount' ;
BETWEEN : 'between' ;
REFUNDS : 'refunds' ;
CAPTURES : 'captures' ;
CHARGEBACKS : 'chargebacks' ;
RESERVE : 'reserve' ;
ALLOWED : 'allowed' ;
PARTIAL : 'partial' ;
WITHIN : 'within' ;
HOLD_LIFETIME : 'hold_lifetime' ;
SCOPE : 'scope' ;
PERIOD : 'period' ;
TIMEZONE : 'timezone' ;
COUNT : 'count' ;
GIVEN : 'given' ;
EXPECT : 'expect' ;
CANDIDATE : 'candidate' ;
PRIORITY : 'priority' ;
WEIGHT : 'weight' ;
EXCLUDE : 'exclude' ;
USE : 'use' ;
DECLINE : 'decline' ;
WHEN : 'when' ;
OTHERWISE : 'otherwise' ;
OF : 'of' ;
MIN : 'min' ;
MAX : 'max' ;
ROUND : 'round' ;
POSTING : 'posting' ;
NO : 'no' ;
ROUTE : 'route' ;
FORBIDDEN : 'forbidden' ;
APPLIES : 'applies' ;
EXCEEDED : 'exceeded' ;
UNDETERMINED : 'undetermined' ;
HEALTH : 'health' ;
TURNOVER : 'turnover' ;
STARTS_WITH : 'starts_with' ;
TRUE : 'true' ;
FALSE : 'false' ;
PAYMENT_INSTITUTION : 'payment_institution' ;
TARIFF_BINDING : 'tariff_binding' ;
REALM : 'realm' ;
RESIDENCES : 'residences' ;
DEFAULT_TARIFF : 'default_tariff' ;
AND : 'and' ;
OR : 'or' ;
NOT : 'not' ;
IN : 'in' ;
IS : 'is' ;

ARROW : '->' ;
EQ : '==' ;
NE : '!=' ;
LE : '<=' ;
GE : '>=' ;
LT : '<' ;
GT : '>' ;
LBRACE : '{' ;
RBRACE : '}' ;
LBRACK : '[' ;
RBRACK : ']' ;
LPAREN : '(' ;
RPAREN : ')' ;
COMMA : ',' ;
COLON : ':' ;
DOT : '.' ;
PLUS : '+' ;
SLASH : '/' ;

TIME : [0-9] [0-9] ':' [0-9] [0-9] ;
PERCENT : [0-9]+ ('.' [0-9]+)? '%' ;
NUMBER : [0-9]+ ('.' [0-9]+)? ;
CODE : [A-Z] [A-Z] [A-Z] ;
ID : [a-zA-Z_] [a-zA-Z0-9_]* ;
STRING : '"' (~["\\\r\n] | '\\' ["\\nt])* '"' ;

COMMENT : '#' ~[\r\n]* -> channel(HIDDEN) ;
WS : [ \t\r\n\u000C]+ -> skip ;
// Anything else becomes one token the parser rejects with a clear message.
ERROR_CHAR : . ;

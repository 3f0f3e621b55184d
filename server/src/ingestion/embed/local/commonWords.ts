// Content words so frequent in English prose that sharing one says little
// about two texts being on the same subject. Without corpus statistics the
// embedder cannot compute IDF; this list is its coarse stand-in, drawn from
// general English frequency rankings (not from any test set). Folded forms.
export const commonEnglishWords: ReadonlySet<string> = new Set(
  `able about according across actually add added age ago ahead allow almost alone along already although always among
  another anyone anything around away back bad based became become becomes began begin behind believe best better big
  bring brought built call called came case cause certain change changed child children city clear close come comes
  common company complete considered continue continued could country course current day days death decided described
  despite different direction do done during early end ended enough entire especially even event events ever every
  example fact family far felt find first five follow followed following form formed found four free full gave general
  get give given go going good got great group groups half hand happen having head help high highly hold home house
  however human idea important include included includes including increase increased instead interest keep kept kind
  knew know known large largely last late later lead led least leave left less let life like likely line little live
  long look made main mainly major make makes making man many matter mean means men might million month months move
  much name named near nearly need never new next night number numbers often old one open order original part people
  person place places play point possible power present probably problem put quite rather real really reason received
  recent related remain remained result right role run said saw say see seen sense set several short show side similar
  simply since small something sometimes soon start started state states still story strong success take taken term terms
  thing things think third though thought three time times today together told took total toward towards turn turned two
  type types under until use used uses using usually various view want way ways week well went whole wide within work
  worked works world year years young`
    .split(/\s+/)
    .filter(Boolean),
);

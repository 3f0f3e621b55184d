// Function words carry little meaning for retrieval; the local embedder keeps
// them at a small weight (a query made only of them still gets a vector) and
// leaves them out of word pairs and character n-grams. Written after folding:
// lowercase, no apostrophes.
export const englishStopWords: ReadonlySet<string> = new Set(
  `a about above after again against all also am an and any are as at be because been before being below
  between both but by can cannot could did do does doing done down during each either etc few for from
  further had has have having he her here hers herself him himself his how however i if in into is it its
  itself just me might more most must my myself no nor not now of off on once only or other others ought our
  ours ourselves out over own per same shall she should so some such than that the their theirs them
  themselves then there therefore these they this those through thus to too under until up upon us very via
  was we were what whatever when where whether which while who whom whose why will with within without would
  yet you your yours yourself yourselves dont doesnt didnt isnt arent wasnt werent cant couldnt wont wouldnt
  shouldnt hasnt havent hadnt im ive id youre theyre thats whats`
    .split(/\s+/)
    .filter(Boolean),
);

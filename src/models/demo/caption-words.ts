/**
 * The words of the demo models' tokenizers: common English caption and question words, so that text drawn from the
 * vocabulary at random (the demo's weights are random) reads as words rather than raw bytes. Changing the list
 * changes the tokenizers, hence the vocabulary sizes in the demo configs beside this file.
 */
export const CAPTION_WORDS: readonly string[] = Object.freeze(`
a an the this that these those some two three four five many several one of in on at with without by near next to
under over above below behind front inside outside into from and or but while is are was were be being has have
it its there here his her their its what which who where how why when does do yes no not very
photo picture image close up view shot painting drawing illustration sign logo
man woman person people boy girl child children baby kid kids family group crowd player team couple friends
dog dogs cat cats puppy kitten horse horses cow cows sheep bird birds duck fish bear elephant giraffe zebra animal
car cars truck bus train bike bicycle motorcycle boat plane airplane road street highway bridge sidewalk traffic
house building buildings tower church city town park garden field grass tree trees forest flower flowers plant
mountain mountains hill lake river beach ocean sea water sand snow sky cloud clouds sun sunset rain night day light
table chair chairs couch bed room kitchen window door wall floor desk shelf lamp clock mirror bathroom sink toilet
plate bowl cup mug glass bottle food pizza cake sandwich bread fruit apple banana orange coffee tea breakfast dinner
phone computer laptop screen keyboard book books paper camera bag umbrella hat shirt dress jacket shoes glasses
red blue green yellow white black brown gray grey pink purple orange colorful dark bright
big small large little tall long short old young new wooden metal empty full open closed round
sitting standing walking running playing eating drinking holding looking riding flying lying sleeping smiling
wearing carrying talking watching waiting parked covered filled made taking
top bottom side left right middle background foreground area front corner edge
space astronaut rocket suit helmet moon star stars earth launch
`.trim().split(/\s+/).filter((word, index, all) => all.indexOf(word) === index));

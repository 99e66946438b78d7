// Maps the words people use for sounds ("dog", "siren", "birds", "clapping") to AudioSet display names
// (the labels the sound classifier emits): a synonym table plus fuzzy matching against the classifier's own list.

import { editDistance, stem, words } from './text.js';

/** common word (stemmed) → AudioSet display names that count as that sound */
export const SOUND_SYNONYMS: Record<string, string[]> = {
  dog: ['Dog', 'Bark', 'Bow-wow', 'Yip', 'Howl', 'Growling', 'Whimper (dog)', 'Canidae, dogs, wolves'],
  bark: ['Bark', 'Dog', 'Bow-wow', 'Yip'],
  puppy: ['Dog', 'Bark', 'Yip', 'Whimper (dog)'],
  howl: ['Howl'],
  growl: ['Growling'],
  wolf: ['Howl', 'Canidae, dogs, wolves'],
  cat: ['Cat', 'Meow', 'Purr', 'Hiss', 'Caterwaul'],
  kitten: ['Cat', 'Meow'],
  meow: ['Meow', 'Cat'],
  purr: ['Purr'],
  siren: [
    'Siren',
    'Emergency vehicle',
    'Police car (siren)',
    'Ambulance (siren)',
    'Fire engine, fire truck (siren)',
    'Civil defense siren',
  ],
  ambulance: ['Ambulance (siren)', 'Emergency vehicle', 'Siren'],
  police: ['Police car (siren)', 'Emergency vehicle', 'Siren'],
  firetruck: ['Fire engine, fire truck (siren)', 'Emergency vehicle', 'Siren'],
  'fire truck': ['Fire engine, fire truck (siren)', 'Emergency vehicle', 'Siren'],
  'fire engine': ['Fire engine, fire truck (siren)', 'Emergency vehicle', 'Siren'],
  alarm: ['Alarm', 'Alarm clock', 'Car alarm', 'Fire alarm', 'Smoke detector, smoke alarm', 'Siren', 'Buzzer'],
  bird: [
    'Bird',
    'Bird vocalization, bird call, bird song',
    'Chirp, tweet',
    'Squawk',
    'Pigeon, dove',
    'Coo',
    'Crow',
    'Caw',
    'Owl',
    'Hoot',
    'Bird flight, flapping wings',
  ],
  birdsong: ['Bird vocalization, bird call, bird song', 'Bird', 'Chirp, tweet'],
  chirp: ['Chirp, tweet', 'Bird vocalization, bird call, bird song'],
  tweet: ['Chirp, tweet'],
  cuckoo: ['Bird', 'Bird vocalization, bird call, bird song', 'Owl', 'Hoot', 'Pigeon, dove', 'Coo'],
  blackbird: ['Bird', 'Bird vocalization, bird call, bird song', 'Chirp, tweet'],
  owl: ['Owl', 'Hoot'],
  chicken: ['Chicken, rooster', 'Cluck', 'Fowl'],
  rooster: ['Chicken, rooster', 'Crowing, cock-a-doodle-doo', 'Fowl'],
  hen: ['Chicken, rooster', 'Cluck'],
  duck: ['Duck', 'Quack', 'Fowl', 'Goose'],
  goose: ['Goose', 'Honk'],
  cow: ['Cattle, bovinae', 'Moo', 'Livestock, farm animals, working animals', 'Cowbell'],
  cattle: ['Cattle, bovinae', 'Moo'],
  horse: ['Horse', 'Neigh, whinny', 'Clip-clop'],
  pig: ['Pig', 'Oink'],
  sheep: ['Sheep', 'Bleat'],
  goat: ['Goat', 'Bleat'],
  frog: ['Frog', 'Croak'],
  insect: ['Insect', 'Cricket', 'Mosquito', 'Fly, housefly', 'Buzz', 'Bee, wasp, etc.'],
  bee: ['Bee, wasp, etc.', 'Insect', 'Buzz', 'Fly, housefly'],
  wasp: ['Bee, wasp, etc.', 'Buzz'],
  fly: ['Fly, housefly', 'Buzz', 'Insect'],
  mosquito: ['Mosquito', 'Insect', 'Buzz'],
  lion: ['Roaring cats (lions, tigers)', 'Roar'],
  tiger: ['Roaring cats (lions, tigers)', 'Roar'],
  animal: ['Animal', 'Domestic animals, pets', 'Wild animals', 'Livestock, farm animals, working animals'],
  music: ['Music', 'Musical instrument', 'Song', 'Background music', 'Singing'],
  song: ['Song', 'Singing', 'Music'],
  singing: ['Singing', 'Song', 'Choir', 'Vocal music', 'Child singing'],
  sing: ['Singing', 'Song', 'Choir'],
  instrument: ['Musical instrument'],
  guitar: ['Guitar', 'Electric guitar', 'Acoustic guitar', 'Bass guitar', 'Steel guitar, slide guitar', 'Strum'],
  piano: ['Piano', 'Electric piano', 'Keyboard (musical)'],
  drum: ['Drum', 'Drum kit', 'Snare drum', 'Bass drum', 'Drum roll', 'Drum machine', 'Percussion', 'Cymbal', 'Hi-hat'],
  drumkit: ['Drum kit', 'Drum', 'Percussion', 'Snare drum', 'Bass drum', 'Cymbal'],
  violin: ['Violin, fiddle', 'Bowed string instrument', 'String section'],
  fiddle: ['Violin, fiddle'],
  bell: [
    'Bell',
    'Church bell',
    'Jingle bell',
    'Bicycle bell',
    'Tubular bells',
    'Change ringing (campanology)',
    'Chime',
    'Wind chime',
    'Telephone bell ringing',
    'Doorbell',
    'Ding-dong',
    'Cowbell',
  ],
  doorbell: ['Doorbell', 'Ding-dong'],
  applause: ['Applause', 'Clapping', 'Cheering'],
  clap: ['Clapping', 'Applause'],
  cheer: ['Cheering', 'Applause'],
  laugh: ['Laughter', 'Baby laughter', 'Giggle', 'Snicker', 'Belly laugh', 'Chuckle, chortle'],
  laughter: ['Laughter', 'Baby laughter', 'Giggle', 'Snicker', 'Belly laugh', 'Chuckle, chortle'],
  giggle: ['Giggle', 'Laughter'],
  cry: ['Crying, sobbing', 'Baby cry, infant cry', 'Whimper', 'Wail, moan'],
  baby: ['Baby cry, infant cry', 'Baby laughter'],
  scream: ['Screaming', 'Shout', 'Yell'],
  shout: ['Shout', 'Yell', 'Bellow', 'Screaming', 'Children shouting'],
  whisper: ['Whispering'],
  cough: ['Cough', 'Throat clearing'],
  sneeze: ['Sneeze'],
  breath: ['Breathing', 'Pant', 'Gasp', 'Sigh'],
  snore: ['Snoring'],
  footstep: ['Walk, footsteps', 'Run', 'Shuffle'],
  step: ['Walk, footsteps'],
  crowd: ['Crowd', 'Chatter', 'Hubbub, speech noise, speech babble', 'Cheering'],
  speech: ['Speech', 'Child speech, kid speaking', 'Conversation', 'Narration, monologue', 'Speech synthesizer'],
  voice: ['Speech', 'Child speech, kid speaking', 'Conversation', 'Narration, monologue', 'Singing'],
  talk: ['Speech', 'Conversation', 'Narration, monologue'],
  car: [
    'Car',
    'Vehicle',
    'Motor vehicle (road)',
    'Car passing by',
    'Vehicle horn, car horn, honking',
    'Car alarm',
    'Race car, auto racing',
    'Engine',
    'Accelerating, revving, vroom',
  ],
  vehicle: ['Vehicle', 'Motor vehicle (road)', 'Car', 'Truck', 'Bus', 'Motorcycle', 'Emergency vehicle'],
  traffic: ['Traffic noise, roadway noise', 'Car passing by', 'Motor vehicle (road)', 'Vehicle'],
  truck: ['Truck', 'Air brake', 'Air horn, truck horn', 'Reversing beeps'],
  horn: ['Vehicle horn, car horn, honking', 'Air horn, truck horn', 'Toot', 'Train horn', 'Foghorn', 'French horn'],
  motorcycle: ['Motorcycle'],
  engine: [
    'Engine',
    'Light engine (high frequency)',
    'Medium engine (mid frequency)',
    'Heavy engine (low frequency)',
    'Idling',
    'Engine starting',
    'Accelerating, revving, vroom',
  ],
  train: [
    'Train',
    'Rail transport',
    'Train whistle',
    'Train horn',
    'Railroad car, train wagon',
    'Train wheels squealing',
    'Subway, metro, underground',
  ],
  plane: ['Aircraft', 'Fixed-wing aircraft, airplane', 'Aircraft engine', 'Jet engine'],
  airplane: ['Aircraft', 'Fixed-wing aircraft, airplane', 'Aircraft engine', 'Jet engine'],
  helicopter: ['Helicopter'],
  boat: ['Boat, Water vehicle', 'Motorboat, speedboat', 'Ship', 'Sailboat, sailing ship'],
  water: [
    'Water',
    'Liquid',
    'Stream',
    'Waterfall',
    'Ocean',
    'Waves, surf',
    'Rain',
    'Drip',
    'Pour',
    'Splash, splatter',
    'Water tap, faucet',
    'Gurgling',
  ],
  rain: ['Rain', 'Raindrop', 'Rain on surface'],
  thunder: ['Thunder', 'Thunderstorm'],
  storm: ['Thunderstorm', 'Thunder', 'Wind', 'Rain'],
  wind: ['Wind', 'Wind noise (microphone)', 'Rustling leaves'],
  ocean: ['Ocean', 'Waves, surf'],
  wave: ['Waves, surf', 'Ocean'],
  fire: ['Fire', 'Crackle'],
  gun: ['Gunshot, gunfire', 'Machine gun', 'Fusillade', 'Cap gun', 'Artillery fire'],
  gunshot: ['Gunshot, gunfire', 'Machine gun', 'Fusillade', 'Cap gun'],
  explosion: ['Explosion', 'Boom', 'Burst, pop', 'Eruption', 'Bang'],
  firework: ['Fireworks', 'Firecracker', 'Explosion', 'Burst, pop', 'Bang'],
  door: ['Door', 'Slam', 'Knock', 'Sliding door', 'Doorbell', 'Creak'],
  knock: ['Knock', 'Tap'],
  phone: ['Telephone', 'Telephone bell ringing', 'Ringtone', 'Telephone dialing, DTMF', 'Dial tone'],
  telephone: ['Telephone', 'Telephone bell ringing', 'Ringtone'],
  ring: ['Telephone bell ringing', 'Ringtone', 'Bell', 'Doorbell'],
  kettle: ['Boiling', 'Steam', 'Whistle', 'Steam whistle', 'Liquid', 'Water'],
  whistle: ['Whistle', 'Whistling', 'Steam whistle', 'Train whistle'],
  boil: ['Boiling', 'Steam'],
  toilet: ['Toilet flush', 'Water', 'Liquid', 'Gurgling'],
  flush: ['Toilet flush'],
  vacuum: ['Vacuum cleaner'],
  hoover: ['Vacuum cleaner'],
  typing: ['Typing', 'Computer keyboard', 'Typewriter'],
  keyboard: ['Computer keyboard', 'Typing', 'Keyboard (musical)'],
  clock: ['Clock', 'Tick', 'Tick-tock', 'Alarm clock'],
  tick: ['Tick', 'Tick-tock', 'Clock'],
  glass: ['Glass', 'Shatter', 'Chink, clink'],
  silence: ['Silence'],
  noise: ['Noise', 'Environmental noise', 'White noise', 'Pink noise', 'Static', 'Hum', 'Mains hum'],
  static: ['Static', 'White noise'],
  beep: ['Beep, bleep', 'Reversing beeps', 'Ping'],
  hammer: ['Hammer'],
  drill: ['Drill', 'Power tool', "Dental drill, dentist's drill"],
  saw: ['Sawing', 'Chainsaw'],
  chainsaw: ['Chainsaw'],
};

/** Words that never name a sound on their own ("in the background", "any kind of"). */
const NOT_SOUNDS = new Set([
  'background',
  'foreground',
  'somewhere',
  'anything',
  'something',
  'kind',
  'type',
  'sort',
  'sound',
  'sounds',
  'noises',
  'audio',
  'clip',
  'recording',
  'file',
  'track',
  'time',
  'times',
  'start',
  'begin',
  'end',
  'stop',
  'first',
  'last',
  'hear',
  'heard',
  'audible',
  'present',
  'play',
  'playing',
  'loud',
  'quiet',
  'there',
  'happen',
  'occur',
  'appear',
  'small',
  'large',
  'big',
  'little',
  'distant',
  'second',
  'minute',
  'one',
  'other',
]);

function labelTokens(label: string): string[] {
  return words(label).map(stem);
}

/**
 * AudioSet display names that a phrase ("a dog barking", "church bells", "sirens") refers to: synonym-table hits
 * for each word (and two-word phrase) plus labels from `labels` containing one of the phrase's words, exactly or
 * within one edit for words of five letters or more. Synonym hits are AudioSet names and are always returned.
 * Order: synonym hits first (most specific first), then fuzzy hits.
 */
export function matchSoundLabels(phrase: string, labels?: readonly string[]): string[] {
  const ws = words(phrase).filter((w) => !NOT_SOUNDS.has(w));
  const out: string[] = [];
  const push = (l: string) => {
    if (!out.includes(l)) out.push(l);
  };
  const stems = ws.map(stem);
  for (let i = 0; i < ws.length; i++) {
    const two = i + 1 < ws.length ? `${ws[i]} ${ws[i + 1]}` : undefined;
    for (const key of [two, ws[i], stems[i]]) {
      if (!key) continue;
      const hit = SOUND_SYNONYMS[key];
      if (hit) for (const l of hit) push(l);
    }
  }
  if (labels) {
    const meaningful = stems.filter((s) => s.length >= 3 && !NOT_SOUNDS.has(s));
    for (const label of labels) {
      const toks = labelTokens(label);
      if (meaningful.some((s) => toks.some((t) => t === s || (s.length >= 5 && t.length >= 5 && editDistance(s, t, 1) <= 1)))) push(label);
    }
  }
  return out;
}

/** Labels that are speech rather than a sound, so descriptions can talk about them apart. */
export const SPEECH_LABELS = new Set([
  'Speech',
  'Child speech, kid speaking',
  'Conversation',
  'Narration, monologue',
  'Babbling',
  'Speech synthesizer',
  'Whispering',
  'Hubbub, speech noise, speech babble',
]);

/** Labels that describe the recording rather than a sound source; left out of "what is heard" lists. */
export const AMBIENT_LABELS = new Set([
  'Silence',
  'Inside, small room',
  'Inside, large room or hall',
  'Inside, public space',
  'Outside, urban or manmade',
  'Outside, rural or natural',
  'Reverberation',
  'Echo',
  'Noise',
  'Sound effect',
  'Field recording',
  'Environmental noise',
]);

/** "Fire engine, fire truck (siren)" → "fire engine"; "Dog" → "dog": the first name, lower-cased, for prose. */
export function proseLabel(label: string): string {
  const [head = ''] = label.split(','); // split always yields at least one part
  const first = head.replace(/\s*\(.*\)\s*/, '').trim();
  return /^[A-Z][a-z]/.test(first) && !/^[A-Z][a-z]+ [A-Z]/.test(first) ? first.toLowerCase() : first;
}

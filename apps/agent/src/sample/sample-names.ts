/** Name pools in several scripts, so the sample exercises unicode end to end. */

export const FIRST_NAMES = [
  'Anna', 'Bjørn', 'Åsa', 'Lars', 'Ingrid', 'Jean', 'Émilie', 'Jürgen', 'Zoë', 'Siobhán', 'Łukasz', 'Małgorzata',
  'José', 'María', 'Ольга', 'Дмитрий', '健二', '美咲', '伟', '芳', 'أحمد', 'فاطمة', 'Γιώργος', 'Ελένη', 'דוד', 'Noa',
  'Priya', 'Nguyễn', 'Olu', 'Kari',
];

export const LAST_NAMES = [
  'Andersen', 'Hansen', 'Ødegård', 'Nilsson', 'Dupont', 'Müller', 'Schäfer', "O'Brien", 'Kowalski', 'García',
  'Петрова', 'Иванов', '山田', '佐藤', '王', '李', 'حسن', 'الخطيب', 'Παπαδόπουλος', 'כהן', 'Sharma', 'Trần',
  'Okafor', 'Smith', 'van der Berg',
];

/** ASCII spellings for e-mail local parts, index-aligned with the pools above. */
export const FIRST_ASCII = [
  'anna', 'bjorn', 'asa', 'lars', 'ingrid', 'jean', 'emilie', 'jurgen', 'zoe', 'siobhan', 'lukasz', 'malgorzata',
  'jose', 'maria', 'olga', 'dmitri', 'kenji', 'misaki', 'wei', 'fang', 'ahmed', 'fatima', 'giorgos', 'eleni', 'david',
  'noa', 'priya', 'nguyen', 'olu', 'kari',
];
export const LAST_ASCII = [
  'andersen', 'hansen', 'odegard', 'nilsson', 'dupont', 'muller', 'schafer', 'obrien', 'kowalski', 'garcia',
  'petrova', 'ivanov', 'yamada', 'sato', 'wang', 'li', 'hassan', 'alkhatib', 'papadopoulos', 'cohen', 'sharma',
  'tran', 'okafor', 'smith', 'vanderberg',
];

export const COMPANY_STEMS = [
  'Nordlys', 'Fjellvind', 'Müller & Söhne', 'Ångström', 'Société Générale de Bâtiment', 'さくら商事', '北京科技',
  'Ромашка', 'Δέλτα', 'النخبة', 'Acme', 'Blue Harbour', 'Vestland Fisk', 'Tálknafjörður Útgerð', 'Zürich Präzision',
];
export const COMPANY_FORMS = ['AS', 'ASA', 'GmbH', 'SA', '株式会社', 'ООО', 'Ltd', 'AB', 'Oy', 'BV', 'Inc.'];

export const DOCUMENT_KINDS = [
  { stem: 'Offer', ext: 'docx' },
  { stem: 'Contract', ext: 'pdf' },
  { stem: 'Minutes', ext: 'docx' },
  { stem: 'Price list', ext: 'xlsx' },
  { stem: 'Presentation', ext: 'pptx' },
  { stem: 'Letter', ext: 'doc' },
  { stem: 'Tilbud', ext: 'pdf' },
  { stem: 'Angebot', ext: 'pdf' },
  { stem: '見積書', ext: 'pdf' },
  { stem: 'Photo', ext: 'jpg' },
];

export const LONG_TEXT_PARAGRAPH =
  'Follow-up after the meeting: the customer asked for a revised quote, delivery in Q3, and a contact in ' +
  'Bergen.\nThey use tabs\tand backslashes \\ in their notes, quotes "like this" and emoji 😀. ';
